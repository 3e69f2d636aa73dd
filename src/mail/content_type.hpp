// The MIME header fields that decide how a part is walked and encoded: Content-Type (type,
// subtype, boundary, charset) and Content-Transfer-Encoding, read as leniently as mail
// readers do (Python's email package is the reference the tests compare with).
#pragma once

#include <string>
#include <string_view>

namespace nullrelay {

struct ContentType {
    std::string type;      // lower case; "" when the field is absent or unreadable
    std::string subtype;   // lower case
    std::string boundary;  // the boundary parameter, unquoted, trailing blanks removed
    bool has_charset = false;
    bool is(std::string_view t, std::string_view s) const { return type == t && subtype == s; }
};

ContentType parse_content_type(std::string_view value);

// The transfer encoding token, lower case ("7bit", "base64", ...); "" when empty.
std::string parse_transfer_encoding(std::string_view value);

}  // namespace nullrelay
