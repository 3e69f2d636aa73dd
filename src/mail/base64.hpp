// Base64 (RFC 4648 section 4, with padding), for RFC 2047 encoded words and MIME bodies: whole
// strings, and streams cut into the 76-character lines of RFC 2045 §6.8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace nullrelay {

std::string base64_encode(std::string_view bytes);

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
