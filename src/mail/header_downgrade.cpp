#include "mail/header_downgrade.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "mail/charset.hpp"
#include "mail/encoded_word.hpp"
#include "mail/phrase_encoding.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

// RFC 5322 asks for 78 at most, RFC 2047 for 76 on a line with encoded-words.
constexpr size_t kFoldWidth = 76;
// A plain word this long could not be folded onto a line of its own: it is encoded (and so
// split into encoded-words) along with the 8-bit text.
constexpr size_t kLongWord = 900;

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}

bool has_8bit(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c >= 0x80; });
}

size_t longest_line(std::string_view raw) {
    size_t longest = 0;
    while (!raw.empty()) {
        size_t eol = raw.find('\n');
        std::string_view line = raw.substr(0, eol);
        if (line.ends_with('\r')) line.remove_suffix(1);
        longest = std::max(longest, line.size());
        if (eol == std::string_view::npos) break;
        raw.remove_prefix(eol + 1);
    }
    return longest;
}

// How RFC 5322, 2045 and 2047 let a field be written.
enum class Kind {
    unstructured,  // free text (Subject, X-..., any field not known as structured): RFC 2047
    addresses,     // address lists: display names and comments encoded, addresses never
    parameters,    // Content-Type, Content-Disposition: RFC 2231 parameter values
    keywords,      // a list of phrases
    structured,    // anything else RFC 2047 does not reach (ids, dates, trace fields)
};

Kind kind_of(std::string_view name) {
    static constexpr std::array<std::string_view, 18> addresses = {"from",
                                                                   "sender",
                                                                   "reply-to",
                                                                   "to",
                                                                   "cc",
                                                                   "bcc",
                                                                   "resent-from",
                                                                   "resent-sender",
                                                                   "resent-to",
                                                                   "resent-cc",
                                                                   "resent-bcc",
                                                                   "resent-reply-to",
                                                                   "errors-to",
                                                                   "return-receipt-to",
                                                                   "mail-followup-to",
                                                                   "mail-reply-to",
                                                                   "list-id",
                                                                   "disposition-notification-to"};
    static constexpr std::array<std::string_view, 32> structured = {
        "date",
        "message-id",
        "in-reply-to",
        "references",
        "received",
        "return-path",
        "mime-version",
        "content-transfer-encoding",
        "content-id",
        "content-md5",
        "content-language",
        "content-location",
        "content-base",
        "resent-date",
        "resent-message-id",
        "dkim-signature",
        "domainkey-signature",
        "arc-seal",
        "arc-message-signature",
        "arc-authentication-results",
        "authentication-results",
        "received-spf",
        "list-help",
        "list-unsubscribe",
        "list-unsubscribe-post",
        "list-subscribe",
        "list-post",
        "list-owner",
        "list-archive",
        "archived-at",
        "original-message-id",
        "auto-submitted",
    };
    std::string lower = to_lower(name);
    auto in = [&](const auto& set) {
        return std::find(set.begin(), set.end(), lower) != set.end();
    };
    if (in(addresses)) return Kind::addresses;
    if (in(structured)) return Kind::structured;
    if (lower == "content-type" || lower == "content-disposition") return Kind::parameters;
    if (lower == "keywords") return Kind::keywords;
    return Kind::unstructured;
}

// The value as one line: after "Name:", the line breaks of folding removed (the white space
// after them is kept, as unfolding does).
std::string unfolded_value(const HeaderField& f) {
    std::string_view v(f.raw);
    v.remove_prefix(std::min(v.size(), f.name.size() + 1));
    std::string out;
    out.reserve(v.size());
    for (char c : v)
        if (c != '\r' && c != '\n') out += c;
    return out;
}

// Folds one logical line at white space (RFC 5322 §2.2.3): lines of at most 78 characters
// where white space allows, never a line of white space alone, and never right after the
// field name (readers such as Python's then keep the blank in the value). Each line ends with
// CRLF.
std::string fold(std::string_view line) {
    size_t last_text = line.size();
    while (last_text > 0 && is_wsp(line[last_text - 1]))
        --last_text;
    // The first line holds the name, the colon and the first word of the value at least.
    size_t first_word = line.find(':');
    first_word = first_word == std::string_view::npos ? 0 : first_word + 1;
    while (first_word < line.size() && is_wsp(line[first_word]))
        ++first_word;
    std::string out;
    size_t pos = 0;
    while (line.size() - pos > kFoldWidth) {
        size_t text = pos;
        while (text < line.size() && is_wsp(line[text]))
            ++text;
        if (pos == 0) text = std::max(text, first_word);
        // A break goes before a blank that has text on both sides of it on its lines.
        auto usable = [&](size_t b) { return b > text && b < last_text && is_wsp(line[b]); };
        size_t brk = std::string_view::npos;
        for (size_t b = std::min(pos + kFoldWidth, line.size() - 1); b > text; --b)
            if (usable(b)) {
                brk = b;
                break;
            }
        if (brk == std::string_view::npos)
            for (size_t b = pos + kFoldWidth + 1; b < last_text; ++b)
                if (usable(b)) {
                    brk = b;
                    break;
                }
        if (brk == std::string_view::npos) break;
        out.append(line.substr(pos, brk - pos));
        out += "\r\n";
        pos = brk;
    }
    out.append(line.substr(pos));
    out += "\r\n";
    return out;
}

// Folds only the physical lines longer than 998 octets, leaving the others as they are.
std::string refold_long_lines(std::string_view raw) {
    std::string out;
    while (!raw.empty()) {
        size_t eol = raw.find('\n');
        std::string_view line = raw.substr(0, eol);
        raw.remove_prefix(eol == std::string_view::npos ? raw.size() : eol + 1);
        if (line.ends_with('\r')) line.remove_suffix(1);
        if (line.size() > kMaxLineLength) {
            out += fold(line);
        } else {
            out.append(line);
            out += "\r\n";
        }
    }
    return out;
}

// Free text: the words with 8-bit octets (and plain words too long to fold) become
// encoded-words; the others stay as they are, with the white space between them.
std::string encode_unstructured(std::string_view value, std::string_view charset,
                                size_t first_limit) {
    struct Word {
        std::string_view sep, text;
        bool encode = false;
    };
    std::vector<Word> words;
    size_t i = 0;
    while (i < value.size() && is_wsp(value[i]))
        ++i;
    while (i < value.size()) {
        size_t sep = i;
        while (i < value.size() && is_wsp(value[i]))
            ++i;
        size_t start = i;
        while (i < value.size() && !is_wsp(value[i]))
            ++i;
        if (start == i) break;  // trailing white space
        std::string_view text = value.substr(start, i - start);
        words.push_back(
            {value.substr(sep, start - sep), text, has_8bit(text) || text.size() > kLongWord});
    }
    std::string out;
    bool sep_taken = false;  // the next word's separator went inside the encoded-words before it
    for (size_t k = 0; k < words.size(); ++k) {
        const Word& w = words[k];
        std::string_view sep = k == 0 ? "" : (sep_taken ? " " : w.sep);
        sep_taken = false;
        if (!w.encode) {
            out += sep;
            out += w.text;
            continue;
        }
        size_t m = k;
        while (m + 1 < words.size() && words[m + 1].encode)
            ++m;
        // Decoders drop the white space between two encoded-words: next to a word that is
        // one already, the white space is carried inside ours.
        std::string text;
        if (k > 0 && looks_like_encoded_word(words[k - 1].text)) {
            text += w.sep;
            sep = " ";
        }
        for (size_t j = k; j <= m; ++j) {
            if (j > k) text += words[j].sep;
            text += words[j].text;
        }
        if (m + 1 < words.size() && looks_like_encoded_word(words[m + 1].text)) {
            text += words[m + 1].sep;
            sep_taken = true;
        }
        out += sep;
        out += encode_words(text, charset, k == 0 ? first_limit : 75);
        k = m;
    }
    return out;
}

// RFC 2231 §4: name*=charset''%XX..., cut into name*0*=, name*1*= ... when long.
std::vector<std::string> rfc2231_parameter(std::string_view name, std::string_view value,
                                           std::string_view charset) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::vector<std::string> pieces;  // encoded octets, never split inside a %XX
    for (unsigned char c : value) {
        if (std::isalnum(c) ||
            std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos)
            pieces.push_back(std::string(1, static_cast<char>(c)));
        else
            pieces.push_back({'%', hex[c >> 4], hex[c & 15]});
    }
    std::string all;
    for (const auto& p : pieces)
        all += p;
    std::string single = fmt::format("{}*={}''{}", name, charset, all);
    if (single.size() <= kFoldWidth - 8) return {single};
    std::vector<std::string> out;
    std::string chunk;
    auto flush = [&] {
        size_t n = out.size();
        out.push_back(n == 0 ? fmt::format("{}*0*={}''{}", name, charset, chunk)
                             : fmt::format("{}*{}*={}", name, n, chunk));
        chunk.clear();
    };
    for (const auto& p : pieces) {
        if (chunk.size() + p.size() > 50) flush();
        chunk += p;
    }
    if (!chunk.empty()) flush();
    return out;
}

// Content-Type, Content-Disposition: parameter values with 8-bit octets become RFC 2231
// values (labelled utf-8 or unknown-8bit each); 8-bit octets anywhere else cannot be encoded
// (*why says where).
std::optional<std::string> encode_parameters(std::string_view value, std::string* why) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    bool quoted = false;
    int depth = 0;
    for (size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (c == '\\') {
            ++i;
        } else if (c == '"' && depth == 0) {
            quoted = !quoted;
        } else if (!quoted && c == '(') {
            ++depth;
        } else if (!quoted && c == ')' && depth > 0) {
            --depth;
        } else if (!quoted && depth == 0 && c == ';') {
            parts.push_back(value.substr(start, i - start));
            start = i + 1;
        }
    }
    parts.push_back(value.substr(std::min(start, value.size())));
    std::string_view type = trim(parts[0]);
    if (has_8bit(type)) {
        *why = "its type holds non-ASCII characters";
        return std::nullopt;
    }
    std::string out(type);
    for (size_t k = 1; k < parts.size(); ++k) {
        std::string_view p = trim(parts[k]);
        if (p.empty()) continue;
        if (!has_8bit(p)) {
            out += "; ";
            out += p;
            continue;
        }
        size_t eq = p.find('=');
        std::string_view name = trim(p.substr(0, eq));
        if (eq == std::string_view::npos || has_8bit(name) ||
            name.find('*') != std::string_view::npos) {
            *why = fmt::format(
                "the parameter {} holds non-ASCII characters that cannot be "
                "encoded there",
                one_line(name));
            return std::nullopt;
        }
        std::string_view raw = trim(p.substr(eq + 1));
        std::string v = raw.starts_with('"') ? unquote(raw) : std::string(raw);
        for (const std::string& piece : rfc2231_parameter(name, v, charset_label(v))) {
            out += "; ";
            out += piece;
        }
    }
    return out;
}

FieldDowngrade rewritten(std::string raw) {
    return {FieldDowngrade::Outcome::rewritten, std::move(raw), "", ""};
}

FieldDowngrade impossible(std::string status, std::string problem) {
    return {FieldDowngrade::Outcome::impossible, "", std::move(status), std::move(problem)};
}

bool sendable(std::string_view raw) {
    return !has_8bit(raw) && longest_line(raw) <= kMaxLineLength;
}

}  // namespace

FieldDowngrade downgrade_header_field(const HeaderField& field) {
    const bool eight_bit = has_8bit(field.raw);
    if (!eight_bit && longest_line(field.raw) <= kMaxLineLength) return {};
    const Kind kind = kind_of(field.name);
    const std::string name = one_line(field.name);
    const std::string value = unfolded_value(field);
    const std::string charset(charset_label(value));
    // What is left of the first line after "Name: ".
    const size_t first_limit =
        field.name.size() + 2 < kFoldWidth ? kFoldWidth - field.name.size() - 2 : 0;
    auto unstructured = [&]() -> FieldDowngrade {
        std::string raw =
            fold(field.name + ": " + encode_unstructured(value, charset, first_limit));
        if (!sendable(raw))
            return impossible("5.6.3", fmt::format("header field {}: cannot be encoded within "
                                                   "the 998-octet line limit",
                                                   name));
        return rewritten(std::move(raw));
    };
    if (!eight_bit) {
        std::string raw = refold_long_lines(field.raw);
        if (sendable(raw)) return rewritten(std::move(raw));
        if (kind == Kind::unstructured) return unstructured();
        return impossible("5.6.3", fmt::format("header field {}: a line is longer than 998 "
                                               "octets and has no white space to fold it at",
                                               name));
    }
    std::string new_value;
    switch (kind) {
        case Kind::unstructured:
            return unstructured();
        case Kind::keywords:
            new_value = encode_keywords(value, charset);
            break;
        case Kind::addresses: {
            std::string bad;
            auto v = encode_address_list(value, charset, first_limit, &bad);
            if (!v)
                return impossible(
                    "5.6.9",
                    fmt::format("header field {}: the address {} has non-ASCII characters; "
                                "sending it needs SMTPUTF8, which nullrelay cannot ask for",
                                name, one_line(bad)));
            new_value = std::move(*v);
            break;
        }
        case Kind::parameters: {
            std::string why;
            auto v = encode_parameters(value, &why);
            if (!v) return impossible("5.6.9", fmt::format("header field {}: {}", name, why));
            new_value = std::move(*v);
            new_value.insert(0, " ");
            break;
        }
        case Kind::structured:
            return impossible("5.6.9",
                              fmt::format("header field {}: holds non-ASCII characters where "
                                          "MIME cannot encode them (it needs SMTPUTF8, which "
                                          "nullrelay cannot ask for)",
                                          name));
    }
    std::string raw = fold(field.name + ":" + new_value);
    if (!sendable(raw))
        return impossible("5.6.3", fmt::format("header field {}: cannot be encoded within the "
                                               "998-octet line limit",
                                               name));
    return rewritten(std::move(raw));
}

}  // namespace nullrelay
