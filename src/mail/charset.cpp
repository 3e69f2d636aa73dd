#include "mail/charset.hpp"

namespace nullrelay {

void Utf8Validator::feed(std::string_view bytes) {
    if (bad_) return;
    size_t i = 0;
    const size_t n = bytes.size();
    while (i < n) {
        auto c = static_cast<unsigned char>(bytes[i]);
        if (need_ == 0) {
            if (c < 0x80) {
                ++i;
                continue;
            }
            low_ = 0x80;
            high_ = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                need_ = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                need_ = 2;
                if (c == 0xE0) low_ = 0xA0;   // overlong
                if (c == 0xED) high_ = 0x9F;  // surrogates
            } else if (c >= 0xF0 && c <= 0xF4) {
                need_ = 3;
                if (c == 0xF0) low_ = 0x90;   // overlong
                if (c == 0xF4) high_ = 0x8F;  // above U+10FFFF
            } else {
                bad_ = true;
                return;
            }
        } else {
            if (c < low_ || c > high_) {
                bad_ = true;
                return;
            }
            low_ = 0x80;
            high_ = 0xBF;
            --need_;
        }
        ++i;
    }
}

bool is_valid_utf8(std::string_view bytes) {
    Utf8Validator v;
    v.feed(bytes);
    return v.valid();
}

std::string_view charset_label(std::string_view bytes) {
    return is_valid_utf8(bytes) ? "utf-8" : "unknown-8bit";
}

}  // namespace nullrelay
