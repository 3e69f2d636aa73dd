#include "mail/quoted_printable.hpp"

#include <algorithm>

namespace nullrelay {

namespace {

// Content of a line before its soft break: 75 characters and the "=" make 76.
constexpr size_t kLineWidth = 75;

constexpr char kHex[] = "0123456789ABCDEF";

// "=XX", by value.
struct Escaped {
    char text[3];
    operator std::string_view() const { return {text, 3}; }
};

Escaped escaped(unsigned char c) {
    return {{'=', kHex[c >> 4], kHex[c & 15]}};
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

// Starts a line with a character that could end the SMTP data or start a boundary line.
bool risky_line_start(char c) {
    return c == '.' || c == '-';
}

}  // namespace

void QuotedPrintableEncoder::put(std::string_view token, std::string& out) {
    if (column_ + token.size() > kLineWidth) {
        out += "=\r\n";
        column_ = 0;
    }
    out += token;
    column_ += token.size();
}

void QuotedPrintableEncoder::put_byte(unsigned char c, std::string& out) {
    bool literal = c >= 33 && c <= 126 && c != '=';
    if (column_ + (literal ? 1 : 3) > kLineWidth) {
        out += "=\r\n";
        column_ = 0;
    }
    if (literal && column_ == 0 && risky_line_start(static_cast<char>(c))) literal = false;
    if (literal) {
        out += static_cast<char>(c);
        ++column_;
    } else {
        out.append(escaped(c));
        column_ += 3;
    }
}

void QuotedPrintableEncoder::flush_space(bool line_ends, std::string& out) {
    if (!held_space_) return;
    char c = held_space_;
    held_space_ = 0;
    // RFC 2045 rule 3: white space at the end of an encoded line is encoded, so that a
    // transport that strips trailing blanks cannot change the content.
    if (line_ends)
        put(escaped(static_cast<unsigned char>(c)), out);
    else
        put(std::string_view(&c, 1), out);
}

void QuotedPrintableEncoder::feed(std::string_view in, std::string& out) {
    const size_t n = in.size();
    for (size_t i = 0; i < n; ++i) {
        if (!held_cr_ && !held_space_) {
            // The hot path: a run of characters that stand for themselves, copied a line's
            // room at a time.
            size_t j = i;
            while (j < n && in[j] > 32 && in[j] < 127 && in[j] != '=')
                ++j;
            while (i < j) {
                if (column_ >= kLineWidth) {
                    out += "=\r\n";
                    column_ = 0;
                }
                if (column_ == 0 && risky_line_start(in[i])) {
                    put_byte(static_cast<unsigned char>(in[i++]), out);
                    continue;
                }
                size_t take = std::min(j - i, kLineWidth - column_);
                out.append(in.data() + i, take);
                column_ += take;
                i += take;
            }
            if (i == n) break;
        }
        const char ch = in[i];
        auto c = static_cast<unsigned char>(ch);
        if (held_cr_) {
            held_cr_ = false;
            if (c == '\n') {  // a hard line break
                flush_space(true, out);
                out += "\r\n";
                column_ = 0;
                continue;
            }
            flush_space(false, out);
            put_byte('\r', out);
        }
        if (c == '\r') {
            held_cr_ = true;
        } else if (c == ' ' || c == '\t') {
            flush_space(false, out);
            held_space_ = ch;
        } else {
            flush_space(false, out);
            put_byte(c, out);
        }
    }
}

void QuotedPrintableEncoder::finish(std::string& out) {
    if (held_cr_) {
        held_cr_ = false;
        flush_space(false, out);
        put_byte('\r', out);
    }
    flush_space(true, out);
}

void QuotedPrintableRepair::put(std::string_view token, std::string& out) {
    if (column_ + token.size() > kLineWidth) {
        out += "=\r\n";
        column_ = 0;
    }
    if (column_ == 0 && token.size() == 1 && risky_line_start(token[0])) {
        out.append(escaped(static_cast<unsigned char>(token[0])));
        column_ = 3;
        return;
    }
    out += token;
    column_ += token.size();
}

void QuotedPrintableRepair::feed(std::string_view in, std::string& out) {
    for (char ch : in) {
        auto c = static_cast<unsigned char>(ch);
        if (!escape_.empty()) {  // "=" and maybe one hex digit so far
            if (is_hex(ch)) {
                escape_ += ch;
                if (escape_.size() == 3) {  // "=XY": a valid escape, kept
                    put(escape_, out);
                    escape_.clear();
                }
                continue;
            }
            if (escape_.size() == 1 && (c == '\r' || c == '\n' || c == ' ' || c == '\t')) {
                // A soft break (maybe with trailing blanks): the '=' stays as it is.
                escape_.clear();
                put("=", out);
            } else {
                // "=" before something that is no hex digit: decoders take the '='
                // literally, and so does =3D. What followed it is handled as any other text.
                std::string rest = escape_.substr(1) + ch;
                escape_.clear();
                put("=3D", out);
                feed(rest, out);
                continue;
            }
        }
        if (held_cr_) {
            held_cr_ = false;
            if (c == '\n') {
                out += "\r\n";
                column_ = 0;
                continue;
            }
            put(escaped('\r'), out);
        }
        if (c == '\r')
            held_cr_ = true;
        else if (c == '=')
            escape_.assign(1, '=');
        else if (c >= 0x80 || c == '\n')
            put(escaped(c), out);
        else
            put(std::string_view(&ch, 1), out);
    }
}

void QuotedPrintableRepair::finish(std::string& out) {
    if (escape_ == "=") {
        put("=", out);  // a soft break at the very end: kept
    } else if (!escape_.empty()) {
        std::string rest = escape_.substr(1);
        escape_.clear();
        put("=3D", out);
        feed(rest, out);
    }
    escape_.clear();
    if (held_cr_) {
        held_cr_ = false;
        put(escaped('\r'), out);
    }
}

}  // namespace nullrelay
