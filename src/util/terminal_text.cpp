#include "util/terminal_text.hpp"

#include <fmt/format.h>

namespace nullrelay {

// Length of the valid UTF-8 sequence starting at s[i], or 0 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF).
size_t utf8_sequence(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return 0;
    for (size_t k = 1; k < len; ++k)
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
    if (len == 2 && c < 0xC2) return 0;
    if (len == 3) {
        unsigned char d = byte(i + 1);
        if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d >= 0xA0)) return 0;
    }
    if (len == 4) {
        unsigned char d = byte(i + 1);
        if ((c == 0xF0 && d < 0x90) || (c == 0xF4 && d >= 0x90) || c > 0xF4) return 0;
    }
    return len;
}

bool contains_c1_control(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        size_t len = utf8_sequence(text, i);
        if (len == 0 && c >= 0x80 && c < 0xA0) return true;
        if (len == 2 && is_c1_control(text, i)) return true;
        i += len ? len : 1;
    }
    return false;
}

std::string terminal_safe(std::string_view text, bool keep_newlines) {
    std::string out;
    out.reserve(text.size());
    auto escape = [&](unsigned char c) { out += fmt::format("\\x{:02x}", c); };
    for (size_t i = 0; i < text.size();) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        size_t len = utf8_sequence(text, i);
        if (len == 0) {  // not UTF-8: a raw C1 byte is a control to an 8-bit terminal
            if (c >= 0x80 && c < 0xA0)
                escape(c);
            else
                out += static_cast<char>(c);
            ++i;
            continue;
        }
        if (len == 2 && is_c1_control(text, i)) {
            escape(c);
            escape(static_cast<unsigned char>(text[i + 1]));
        } else if (len == 1 && (c < 0x20 || c == 0x7f) && c != '\t' &&
                   !(c == '\n' && keep_newlines)) {
            escape(c);
        } else {
            out.append(text.substr(i, len));
        }
        i += len;
    }
    return out;
}

}  // namespace nullrelay
