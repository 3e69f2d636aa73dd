#include "queue/dsn_options.hpp"

#include <algorithm>

#include "util/text.hpp"

namespace nullrelay {

std::string canonical_notify(std::string_view value, std::string* problem) {
    std::string v = to_lower(trim(value));
    if (v == "never") return v;
    std::string out;
    for (std::string_view item : split(v, ',')) {
        item = trim(item);
        if (item != "success" && item != "failure" && item != "delay") {
            *problem = "expected 'never' or a list of success, failure, delay";
            return "";
        }
        if (out.find(item) != std::string::npos) continue;
        if (!out.empty()) out += ',';
        out += item;
    }
    return out;
}

std::string canonical_ret(std::string_view value, std::string* problem) {
    std::string v = to_lower(trim(value));
    if (v == "full" || v == "hdrs") return v;
    *problem = "expected 'full' or 'hdrs'";
    return "";
}

std::string canonical_envid(std::string_view value, std::string* problem) {
    // Threat: the value lands in queue files and reports; nothing that could end a line.
    bool printable = std::all_of(value.begin(), value.end(),
                                 [](unsigned char c) { return c > 0x20 && c < 0x7f; });
    if (value.empty() || value.size() > 100 || !printable) {
        *problem = "expected 1 to 100 printable ASCII characters without spaces";
        return "";
    }
    return std::string(value);
}

std::string canonical_body_type(std::string_view value, std::string* problem) {
    std::string v = to_lower(trim(value));
    if (v == "7bit") return "7BIT";
    if (v == "8bitmime") return "8BITMIME";
    *problem = "expected '7BIT' or '8BITMIME'";
    return "";
}

}  // namespace nullrelay
