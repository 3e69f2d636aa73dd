// Base64 (RFC 4648 section 4, with padding), for RFC 2047 encoded words and MIME bodies; the
// URL-safe form without padding (section 5) for OAuth2 PKCE.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nullrelay {

std::string base64_encode(std::string_view bytes);
// Section 5: '-' and '_' for '+' and '/', no '=' padding (RFC 7636's BASE64URL).
std::string base64url_encode(std::string_view bytes);
// Decodes section 4 base64 (padding optional, no other characters); nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace nullrelay
