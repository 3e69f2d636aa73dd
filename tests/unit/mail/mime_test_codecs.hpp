// Decoders for the tests of the 7-bit downgrade (quoted-printable, base64, RFC 2047): the
// product only encodes, so the tests decode with these to check that content is unchanged.
#pragma once

#include <string>
#include <string_view>

namespace nullrelay::testing {

inline int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// RFC 2045 §6.7, as lenient decoders (Python's quopri) read it: "=" CRLF is a soft break,
// "=XX" an octet, a '=' before anything else stays a '='; CRLF stays CRLF.
inline std::string qp_decode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c != '=') {
            out += c;
            continue;
        }
        if (s.substr(i + 1, 2) == "\r\n") {
            i += 2;
        } else if (i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += '=';
        }
    }
    return out;
}

inline std::string lenient_base64_decode(std::string_view s) {
    static const std::string alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (char c : s) {
        size_t v = alphabet.find(c);
        if (v == std::string::npos) continue;  // line breaks, padding
        bits = (bits << 6) | static_cast<unsigned>(v);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out += static_cast<char>((bits >> count) & 0xFF);
        }
    }
    return out;
}

// Decodes the encoded-words of an unstructured header value (RFC 2047 §6.2: the white space
// between two encoded-words is dropped). Only what the encoder writes is understood.
inline std::string decode_words(std::string_view v) {
    std::string out, gap;
    bool after_word = false;
    size_t i = 0;
    while (i < v.size()) {
        size_t ws = i;
        while (i < v.size() && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n'))
            ++i;
        std::string_view space = v.substr(ws, i - ws);
        size_t start = i;
        while (i < v.size() && v[i] != ' ' && v[i] != '\t' && v[i] != '\r' && v[i] != '\n')
            ++i;
        std::string_view word = v.substr(start, i - start);
        if (word.empty()) break;
        bool encoded = word.starts_with("=?") && word.ends_with("?=") && word.size() > 8;
        std::string text(word);
        if (encoded) {
            size_t q1 = word.find('?', 2);
            char enc = word[q1 + 1];
            std::string_view payload = word.substr(q1 + 3, word.size() - q1 - 5);
            if (enc == 'B' || enc == 'b') {
                text = lenient_base64_decode(payload);
            } else {
                std::string p(payload);
                for (char& c : p)
                    if (c == '_') c = ' ';
                text = qp_decode(p);
            }
        }
        // Unfolding: CRLF is removed, the white space after it stays.
        std::string unfolded;
        for (char c : space)
            if (c != '\r' && c != '\n') unfolded += c;
        if (!(encoded && after_word)) out += unfolded;
        out += text;
        after_word = encoded;
    }
    return out;
}

}  // namespace nullrelay::testing
