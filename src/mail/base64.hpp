// Base64 (RFC 4648 section 4, with padding), for RFC 2047 encoded words and MIME bodies: whole
// strings, and streams cut into the 76-character lines of RFC 2045 §6.8; the URL-safe form
// without padding (section 5) for OAuth2 PKCE.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nullrelay {

std::string base64_encode(std::string_view bytes);
// Section 5: '-' and '_' for '+' and '/', no '=' padding (RFC 7636's BASE64URL).
std::string base64url_encode(std::string_view bytes);
// Decodes section 4 base64 (padding optional, no other characters); nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view text);

// Encodes a stream of bytes as base64 lines of 76 characters, each ended by CRLF but the last.
class Base64LineEncoder {
  public:
    void feed(std::string_view in, std::string& out);
    // Writes what is left (with padding); the last line gets no line break.
    void finish(std::string& out);

  private:
    void put(std::string_view chars, std::string& out);

    unsigned char held_[3] = {};
    size_t held_count_ = 0;
    size_t column_ = 0;
};

// Re-cuts a body already labelled base64 into lines of 76 characters. Decoders skip whatever
// is not in the base64 alphabet (line breaks, blanks, stray 8-bit octets), so only alphabet
// characters and '=' are kept, in their order: what it decodes to does not change.
class Base64Rewrap {
  public:
    void feed(std::string_view in, std::string& out);
    void finish(std::string&) {}

  private:
    size_t column_ = 0;
};

}  // namespace nullrelay
