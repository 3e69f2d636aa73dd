#include "mail/base64.hpp"

#include <algorithm>

namespace nullrelay {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kLineWidth = 76;

bool in_alphabet(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '=';
}

}  // namespace

std::string base64_encode(std::string_view in) {
    const char* t = kAlphabet;
    auto byte = [&](size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(in[i])); };
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
    }
    if (i + 1 == in.size()) {
        unsigned v = byte(i) << 16;
        out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == in.size()) {
        unsigned v = byte(i) << 16 | byte(i + 1) << 8;
        out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
    }
    return out;
}

std::string base64url_encode(std::string_view in) {
    std::string out = base64_encode(in);
    while (!out.empty() && out.back() == '=')
        out.pop_back();
    for (char& c : out)
        c = c == '+' ? '-' : c == '/' ? '_' : c;
    return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
    while (!in.empty() && in.back() == '=')
        in.remove_suffix(1);
    if (in.size() % 4 == 1) return std::nullopt;
    std::string out;
    unsigned acc = 0;
    int bits = 0;
    for (char c : in) {
        int v = c >= 'A' && c <= 'Z'   ? c - 'A'
                : c >= 'a' && c <= 'z' ? c - 'a' + 26
                : c >= '0' && c <= '9' ? c - '0' + 52
                : c == '+'             ? 62
                : c == '/'             ? 63
                                       : -1;
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return out;
}

void Base64LineEncoder::put(std::string_view chars, std::string& out) {
    while (!chars.empty()) {
        if (column_ == kLineWidth) {
            out += "\r\n";
            column_ = 0;
        }
        size_t n = std::min(chars.size(), kLineWidth - column_);
        out.append(chars.data(), n);
        column_ += n;
        chars.remove_prefix(n);
    }
}

void Base64LineEncoder::feed(std::string_view in, std::string& out) {
    size_t i = 0;
    if (held_count_ > 0) {  // complete the group left over from the last call
        while (held_count_ < 3 && i < in.size())
            held_[held_count_++] = static_cast<unsigned char>(in[i++]);
        if (held_count_ < 3) return;
        put(base64_encode(std::string_view(reinterpret_cast<const char*>(held_), 3)), out);
        held_count_ = 0;
    }
    // Whole lines at a time: 57 bytes make one line of 76 characters.
    const size_t whole = (in.size() - i) / 3 * 3;
    for (size_t done = 0; done < whole;) {
        size_t n = std::min<size_t>(whole - done, 57 * 64);
        put(base64_encode(in.substr(i + done, n)), out);
        done += n;
    }
    i += whole;
    while (i < in.size())
        held_[held_count_++] = static_cast<unsigned char>(in[i++]);
}

void Base64LineEncoder::finish(std::string& out) {
    if (held_count_ > 0)
        put(base64_encode(std::string_view(reinterpret_cast<const char*>(held_), held_count_)),
            out);
    held_count_ = 0;
}

void Base64Rewrap::feed(std::string_view in, std::string& out) {
    for (char c : in) {
        if (!in_alphabet(c)) continue;
        if (column_ == kLineWidth) {
            out += "\r\n";
            column_ = 0;
        }
        out += c;
        ++column_;
    }
}

}  // namespace nullrelay
