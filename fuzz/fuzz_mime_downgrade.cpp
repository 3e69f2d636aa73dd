// The MIME walker of the 7-bit downgrade (mail/mime_downgrade.hpp), on any message: no crash,
// the first pass passes the input through, the result does not depend on how the input is
// cut, a converted message is 7-bit with lines of at most 998 octets (unless its own header
// is unsendable), and converting it again changes nothing.
#include <cstdint>
#include <string>

#include "mail/message_normalizer.hpp"
#include "mail/mime_downgrade.hpp"

namespace {

using nullrelay::MimeDowngrade;
using nullrelay::MimeLimits;

struct Passes {
    std::string first, converted;
    bool needed = false, error = false, unsendable = false;
};

Passes run(std::string_view in, size_t chunk, MimeLimits limits) {
    Passes p;
    MimeDowngrade d(limits);
    auto feed = [&](std::string& out) {
        for (size_t i = 0; i < in.size(); i += chunk)
            d.feed(in.substr(i, chunk), out);
        d.finish(out);
    };
    feed(p.first);
    p.needed = d.needs_conversion();
    p.error = d.error().has_value();
    p.unsendable = d.unsendable().has_value();
    if (p.needed) {
        d.start_conversion();
        feed(p.converted);
    }
    return p;
}

bool wire_safe(const std::string& m) {
    size_t line = 0;
    for (size_t i = 0; i < m.size(); ++i) {
        auto c = static_cast<unsigned char>(m[i]);
        if (c >= 0x80) return false;
        if (c == '\n') {
            if (i == 0 || m[i - 1] != '\r') return false;
            line = 0;
        } else if (c == '\r') {
            if (i + 1 >= m.size() || m[i + 1] != '\n') return false;
        } else if (++line > 998) {
            return false;
        }
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
    if (size < 1) return 0;
    // The daemon's input is always CRLF-normalised (pickup's MessageNormalizer).
    nullrelay::MessageNormalizer normalizer({});
    std::string in;
    normalizer.feed(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), in);
    normalizer.finish(in);
    MimeLimits limits;
    if (data[0] & 1) limits = {.max_parts = 20, .max_depth = 4};  // reach the limits too
    const size_t chunk = 1 + data[0] / 2;

    Passes whole = run(in, in.size() + 1, limits);
    if (whole.first != in) __builtin_trap();
    Passes cut = run(in, chunk, limits);
    if (cut.first != in || cut.converted != whole.converted || cut.needed != whole.needed ||
        cut.error != whole.error)
        __builtin_trap();
    if (whole.error || whole.unsendable) return 0;
    const std::string& sent = whole.needed ? whole.converted : in;
    if (!wire_safe(sent)) __builtin_trap();
    if (whole.needed) {
        Passes again = run(whole.converted, whole.converted.size() + 1, MimeLimits{});
        if (again.needed || again.unsendable) __builtin_trap();
    }
    return 0;
}
