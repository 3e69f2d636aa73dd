// RFC 2047 in the structured header fields where it is allowed (RFC 2047 §5 (2) and (3)):
// the display names, group names and comments of an address list, and the phrases of
// Keywords. An address itself (an addr-spec, or what stands in <...>) cannot be encoded: with
// 8-bit octets it needs SMTPUTF8 (header_downgrade.hpp then refuses the field).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nullrelay {

// The value with its 8-bit phrases and comments as encoded-words, the rest as it was; nullopt
// when an address holds 8-bit octets (*bad gets it). `first_limit` bounds the first
// encoded-word when the value opens with a phrase (it shares the line with the field name).
std::optional<std::string> encode_address_list(std::string_view value, std::string_view charset,
                                               size_t first_limit, std::string* bad);

// Keywords: a comma-separated list of phrases, each encoded when it holds 8-bit octets.
std::string encode_keywords(std::string_view value, std::string_view charset);

// The content of a quoted-string: the quotes and the backslashes of quoted-pairs removed.
std::string unquote(std::string_view quoted);

}  // namespace nullrelay
