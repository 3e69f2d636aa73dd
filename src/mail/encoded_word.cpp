#include "mail/encoded_word.hpp"

#include <algorithm>
#include <cctype>

#include "mail/base64.hpp"
#include "mail/charset.hpp"

namespace nullrelay {

namespace {

constexpr size_t kMaxWord = 75;
constexpr char kHex[] = "0123456789ABCDEF";

bool q_literal(unsigned char c) {
    return std::isalnum(c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

size_t q_width(unsigned char c) {
    return q_literal(c) || c == ' ' ? 1 : 3;
}

void q_append(unsigned char c, std::string& out) {
    if (c == ' ')
        out += '_';
    else if (q_literal(c))
        out += static_cast<char>(c);
    else
        out += {'=', kHex[c >> 4], kHex[c & 15]};
}

}  // namespace

std::string encode_words(std::string_view text, std::string_view charset, size_t first_limit) {
    const bool utf8 = charset == "utf-8";
    const std::string head = "=?" + std::string(charset);
    const size_t overhead = head.size() + 5;  // "?Q?" and "?="
    // Room for a whole UTF-8 character (4 octets, 12 characters in Q) in the first word, or
    // no special first word at all.
    if (first_limit < overhead + 12 || first_limit > kMaxWord) first_limit = kMaxWord;
    size_t payload = first_limit - overhead;
    size_t q_total = 0;
    for (unsigned char c : text)
        q_total += q_width(c);
    // Q reads better where most of the text is ASCII; B is shorter where most is not.
    const bool use_b = q_total * 2 > (text.size() + 2) / 3 * 4 * 3;

    std::string out;
    auto next_word = [&] {
        if (!out.empty()) out += ' ';
        out += head;
        out += use_b ? "?B?" : "?Q?";
    };
    if (use_b) {
        size_t i = 0;
        while (i < text.size()) {
            const size_t chunk = payload / 4 * 3;
            size_t end = std::min(text.size(), i + chunk);
            if (utf8 && end < text.size()) {
                size_t cut = end;
                while (cut > i && !starts_character(static_cast<unsigned char>(text[cut])))
                    --cut;
                if (cut > i) end = cut;
            }
            next_word();
            out += base64_encode(text.substr(i, end - i));
            out += "?=";
            i = end;
            payload = kMaxWord - overhead;
        }
        return out;
    }
    size_t i = 0;
    while (i < text.size()) {
        next_word();
        size_t used = 0;
        while (i < text.size()) {
            // One character: a UTF-8 lead byte with its continuation bytes, or one byte.
            size_t end = i + 1;
            if (utf8)
                while (end < text.size() && end - i < 4 &&
                       !starts_character(static_cast<unsigned char>(text[end])))
                    ++end;
            size_t width = 0;
            for (size_t k = i; k < end; ++k)
                width += q_width(static_cast<unsigned char>(text[k]));
            if (used > 0 && used + width > payload) break;
            for (size_t k = i; k < end; ++k)
                q_append(static_cast<unsigned char>(text[k]), out);
            used += width;
            i = end;
        }
        out += "?=";
        payload = kMaxWord - overhead;
    }
    return out;
}

bool looks_like_encoded_word(std::string_view w) {
    if (w.size() < 8 || !w.starts_with("=?") || !w.ends_with("?=")) return false;
    std::string_view inner = w.substr(2, w.size() - 4);  // charset?X?text
    size_t q1 = inner.find('?');
    if (q1 == std::string_view::npos || q1 == 0 || q1 + 2 >= inner.size()) return false;
    char enc = static_cast<char>(std::toupper(static_cast<unsigned char>(inner[q1 + 1])));
    return (enc == 'Q' || enc == 'B') && inner[q1 + 2] == '?';
}

}  // namespace nullrelay
