#include "mail/phrase_encoding.hpp"

#include <algorithm>
#include <vector>

#include "mail/encoded_word.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}

bool has_8bit(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c >= 0x80; });
}

// A small lexer for structured values (address lists, keywords).
struct Token {
    enum class Kind { wsp, quoted, comment, literal, special, atom } kind;
    std::string_view text;
};

std::vector<Token> lex(std::string_view v) {
    using K = Token::Kind;
    std::vector<Token> out;
    constexpr std::string_view specials = "<>,:;@.";
    size_t i = 0;
    const size_t n = v.size();
    while (i < n) {
        char c = v[i];
        size_t j = i + 1;
        K kind = K::atom;
        if (is_wsp(c)) {
            while (j < n && is_wsp(v[j]))
                ++j;
            kind = K::wsp;
        } else if (c == '"') {
            while (j < n && v[j] != '"')
                j += v[j] == '\\' ? 2 : 1;
            j = std::min(j + 1, n);
            kind = K::quoted;
        } else if (c == '(') {
            int depth = 1;
            while (j < n && depth > 0) {
                char d = v[j++];
                if (d == '\\')
                    ++j;
                else if (d == '(')
                    ++depth;
                else if (d == ')')
                    --depth;
            }
            j = std::min(j, n);
            kind = K::comment;
        } else if (c == '[') {
            size_t close = v.find(']', i);
            j = close == std::string_view::npos ? n : close + 1;
            kind = K::literal;
        } else if (specials.find(c) != std::string_view::npos) {
            kind = K::special;
        } else {
            while (j < n && !is_wsp(v[j]) && v[j] != '"' && v[j] != '(' && v[j] != '[' &&
                   specials.find(v[j]) == std::string_view::npos)
                ++j;
        }
        out.push_back({kind, v.substr(i, j - i)});
        i = j;
    }
    return out;
}

bool tokens_8bit(const std::vector<Token>& t, size_t from, size_t to) {
    for (size_t k = from; k < to; ++k)
        if (has_8bit(t[k].text)) return true;
    return false;
}

// Writes tokens [from, to) of a phrase (a display name, a group name, a keyword): as they are
// when 7-bit, else the words between the blanks at either end as encoded-words.
void emit_phrase(const std::vector<Token>& t, size_t from, size_t to, std::string_view charset,
                 std::string& out, size_t first_limit = 75) {
    using K = Token::Kind;
    if (!tokens_8bit(t, from, to)) {
        for (size_t k = from; k < to; ++k)
            out += t[k].text;
        return;
    }
    size_t first = from, last = to;
    while (first < last && t[first].kind == K::wsp)
        out += t[first++].text;
    while (last > first && t[last - 1].kind == K::wsp)
        --last;
    std::string text;
    for (size_t k = first; k < last; ++k) {
        if (t[k].kind == K::wsp)
            text += ' ';
        else if (t[k].kind == K::quoted)
            text += unquote(t[k].text);
        else
            text += t[k].text;
    }
    out += encode_words(text, charset, first_limit);
    for (size_t k = last; k < to; ++k)
        out += t[k].text;
}

void emit_comment(const Token& c, std::string_view charset, std::string& out) {
    if (!has_8bit(c.text)) {
        out += c.text;
        return;
    }
    std::string_view inner = c.text.substr(1);
    if (inner.ends_with(')')) inner.remove_suffix(1);
    out += '(';
    out += encode_words(inner, charset);
    out += ')';
}

}  // namespace

std::string unquote(std::string_view q) {
    if (q.size() >= 2 && q.front() == '"') q = q.substr(1, q.size() - (q.back() == '"' ? 2 : 1));
    std::string out;
    for (size_t i = 0; i < q.size(); ++i) {
        if (q[i] == '\\' && i + 1 < q.size()) ++i;
        out += q[i];
    }
    return out;
}

// An address list: display names, group names and comments are encoded; an address (what
// stands in <...>, or a bare addr-spec) with 8-bit octets cannot be (RFC 2047 §5): nullopt,
// with the address in *bad.
std::optional<std::string> encode_address_list(std::string_view value, std::string_view charset,
                                               size_t first_limit, std::string* bad) {
    using K = Token::Kind;
    std::vector<Token> t = lex(value);
    std::string out;
    std::vector<Token> cur;
    bool in_angle = false;
    bool failed = false;
    auto address_text = [](const std::vector<Token>& ts, size_t from, size_t to) {
        std::string s;
        for (size_t k = from; k < to; ++k)
            if (ts[k].kind != K::comment) s += ts[k].text;
        return std::string(trim(s));
    };
    auto flush = [&](bool group_name) {
        if (cur.empty()) return;
        // A phrase that opens the value shares its line with the field name.
        const size_t limit = out.find_first_not_of(" \t") == std::string::npos ? first_limit : 75;
        size_t open = cur.size();
        for (size_t k = 0; k < cur.size(); ++k)
            if (cur[k].kind == K::special && cur[k].text == "<") {
                open = k;
                break;
            }
        if (group_name) {
            emit_phrase(cur, 0, cur.size(), charset, out, limit);
        } else if (open < cur.size()) {
            size_t close = open;
            while (close < cur.size() && !(cur[close].kind == K::special && cur[close].text == ">"))
                ++close;
            close = std::min(close + 1, cur.size());
            if (tokens_8bit(cur, open, close)) {
                failed = true;
                *bad = address_text(cur, open, close);
            }
            emit_phrase(cur, 0, open, charset, out, limit);
            for (size_t k = open; k < close; ++k)
                out += cur[k].text;
            for (size_t k = close; k < cur.size(); ++k) {
                if (cur[k].kind == K::comment)
                    emit_comment(cur[k], charset, out);
                else
                    out += cur[k].text;
            }
        } else {
            for (const Token& tok : cur) {
                if (tok.kind == K::comment) {
                    emit_comment(tok, charset, out);
                } else {
                    if (has_8bit(tok.text) && !failed) {
                        failed = true;
                        *bad = address_text(cur, 0, cur.size());
                    }
                    out += tok.text;
                }
            }
        }
        cur.clear();
    };
    for (const Token& tok : t) {
        if (tok.kind == K::special) {
            if (tok.text == "<" && !in_angle) {
                in_angle = true;
            } else if (tok.text == ">" && in_angle) {
                in_angle = false;
            } else if (!in_angle && (tok.text == "," || tok.text == ";")) {
                flush(false);
                out += tok.text;
                continue;
            } else if (!in_angle && tok.text == ":") {
                flush(true);
                out += tok.text;
                continue;
            }
        }
        cur.push_back(tok);
    }
    flush(false);
    if (failed) return std::nullopt;
    return out;
}

// Keywords: a comma-separated list of phrases.
std::string encode_keywords(std::string_view value, std::string_view charset) {
    std::vector<Token> t = lex(value);
    std::string out;
    size_t start = 0;
    for (size_t k = 0; k <= t.size(); ++k) {
        if (k < t.size() && !(t[k].kind == Token::Kind::special && t[k].text == ",")) continue;
        emit_phrase(t, start, k, charset, out);
        if (k < t.size()) out += ',';
        start = k + 1;
    }
    return out;
}

}  // namespace nullrelay
