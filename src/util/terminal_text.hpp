// Text from a message or an envelope on its way to a terminal (mailq, nullrelay show): any local
// user writes what is shown there, and the admin reads it. Control characters become visible
// escapes, so a message cannot retitle, recolour or drive the reader's terminal.
#pragma once

#include <string>
#include <string_view>

namespace nullrelay {

// C0 controls (but TAB, and LF when `keep_newlines`), DEL and C1 controls (U+0080-U+009F in
// UTF-8, or a raw byte 0x80-0x9F outside a valid UTF-8 sequence, which 8-bit terminals obey)
// become "\xNN"; every other byte passes, 8-bit text included.
std::string terminal_safe(std::string_view text, bool keep_newlines = false);

// Whether `text` holds a C1 control, as terminal_safe() sees one.
bool contains_c1_control(std::string_view text);

// The length of the valid UTF-8 sequence starting at s[i], or 0 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF).
size_t utf8_sequence(std::string_view s, size_t i);

// Whether the valid 2-byte UTF-8 sequence at s[i] encodes a C1 control (U+0080-U+009F).
inline bool is_c1_control(std::string_view s, size_t i) {
    return static_cast<unsigned char>(s[i]) == 0xC2 && i + 1 < s.size() &&
           static_cast<unsigned char>(s[i + 1]) < 0xA0;
}

}  // namespace nullrelay
