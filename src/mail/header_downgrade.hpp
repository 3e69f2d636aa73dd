// What the 7-bit downgrade does to one header field: a field with 8-bit octets is RFC 2047
// encoded where RFC 2047 allows it (unstructured text here; display names, comments and
// keywords in phrase_encoding.hpp) and its parameters RFC 2231 encoded (Content-Type,
// Content-Disposition); a line longer than 998 octets is folded at white space. Where neither is
// legal (an address, a Message-ID, a date), the field cannot be sent without SMTPUTF8, which
// libcurl cannot declare: the caller bounces the message instead of sending it broken.
#pragma once

#include <string>

#include "mail/header_block.hpp"

namespace nullrelay {

struct FieldDowngrade {
    enum class Outcome {
        unchanged,   // 7-bit, no line over 998 octets: sent as it is
        rewritten,   // `raw` is the field to send
        impossible,  // `status` and `problem` say why it cannot be sent
    };
    Outcome outcome = Outcome::unchanged;
    std::string raw;      // rewritten: the whole field, CRLF after each line
    std::string status;   // impossible: RFC 3463 code, 5.6.9 (8-bit) or 5.6.3 (line length)
    std::string problem;  // impossible: one line naming the field
};

FieldDowngrade downgrade_header_field(const HeaderField& field);

// The longest line (without CRLF) that may go on the wire (RFC 5322 §2.1.1).
inline constexpr size_t kMaxLineLength = 998;

}  // namespace nullrelay
