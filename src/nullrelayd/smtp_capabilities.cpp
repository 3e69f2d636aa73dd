#include "nullrelayd/smtp_capabilities.hpp"

#include <charconv>

#include <fmt/format.h>

#include "util/text.hpp"

namespace nullrelay {

std::string SmtpCapabilities::summary() const {
    if (!known) return "unknown (no EHLO reply seen)";
    std::string size_text = "no";
    if (size) size_text = *size == 0 ? "yes (no limit given)" : std::to_string(*size);
    std::string all;
    for (const auto& l : lines)
        all += (all.empty() ? "" : ", ") + l;
    return fmt::format("SIZE {}, 8BITMIME {}, SMTPUTF8 {} (EHLO: {})", size_text,
                       eight_bit_mime ? "yes" : "no", smtputf8 ? "yes" : "no",
                       all.empty() ? "no extensions" : all);
}

SmtpCapabilities capabilities_from(const std::vector<SmtpExchange>& exchanges) {
    SmtpCapabilities caps;
    const SmtpExchange* ehlo = nullptr;
    for (const auto& ex : exchanges)
        if (istarts_with(ex.command, "EHLO") && ex.code == 250) ehlo = &ex;
    if (!ehlo) return caps;
    caps.known = true;
    bool first = true;
    for (std::string_view line : split(ehlo->reply, '\n')) {
        // "250-SIZE 35882577" or "250 8BITMIME"; the first line is the server's greeting name.
        if (first) {
            first = false;
            continue;
        }
        std::string_view text = trim(line.size() > 4 ? line.substr(4) : std::string_view());
        if (text.empty()) continue;
        std::string entry = one_line(text);
        caps.lines.push_back(entry);
        std::string_view keyword = text.substr(0, text.find(' '));
        if (iequals(keyword, "8BITMIME")) caps.eight_bit_mime = true;
        if (iequals(keyword, "SMTPUTF8")) caps.smtputf8 = true;
        if (iequals(keyword, "SIZE")) {
            std::uint64_t limit = 0;
            std::string_view arg = trim(text.substr(keyword.size()));
            std::from_chars(arg.data(), arg.data() + arg.size(), limit);
            caps.size = limit;
        }
    }
    return caps;
}

}  // namespace nullrelay
