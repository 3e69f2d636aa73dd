// Which charset label 8-bit text gets when it has none (the 7-bit downgrade labels what it
// encodes): "utf-8" when the bytes are valid UTF-8, else "unknown-8bit" (RFC 1428). The UTF-8
// check works on a stream, and also finds where a UTF-8 character may be split.
#pragma once

#include <string_view>

namespace nullrelay {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
class Utf8Validator {
  public:
    void feed(std::string_view bytes);
    // Valid so far and not in the middle of a character.
    bool valid() const { return !bad_ && need_ == 0; }
    // Nothing invalid so far (the input may still end inside a character).
    bool valid_so_far() const { return !bad_; }

  private:
    int need_ = 0;                            // continuation bytes still expected
    unsigned char low_ = 0x80, high_ = 0xBF;  // range of the next continuation byte
    bool bad_ = false;
};

bool is_valid_utf8(std::string_view bytes);

// "utf-8" or "unknown-8bit" for these bytes.
std::string_view charset_label(std::string_view bytes);

// True when a byte starts a character (or is not part of a valid sequence at all): an
// encoded word may be cut before it without splitting a UTF-8 character.
inline bool starts_character(unsigned char c) {
    return c < 0x80 || c >= 0xC0;
}

}  // namespace nullrelay
