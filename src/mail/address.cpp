#include "mail/address.hpp"

#include <fmt/format.h>

#include "util/terminal_text.hpp"
#include "util/text.hpp"

namespace nullrelay {

std::string envelope_address_problem(std::string_view a) {
    if (a.empty()) return "empty address";
    if (a.size() > 320) return "address longer than 320 bytes";
    bool quoted = false;
    int ats = 0;
    // Every byte is checked, the escaped byte of a quoted-pair too (threat: "a\\<CR><LF>...").
    for (unsigned char c : a) {
        if (c < 0x20 || c == 0x7f) return "control character in address";
        if (c == '<' || c == '>') return "'<' or '>' in address";
    }
    // Threat: a C1 control (ESC's 8-bit twin CSI, 0x9b) in -f that mailq later shows.
    if (contains_c1_control(a)) return "control character in address";
    for (size_t i = 0; i < a.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(a[i]);
        if (c == '"')
            quoted = !quoted;
        else if (c == '\\' && quoted)
            ++i;  // quoted-pair
        else if (c == ' ' && !quoted)
            return "space in address";
        else if (c == '@' && !quoted)
            ++ats;
    }
    if (quoted) return "unbalanced quote in address";
    if (ats > 1) return "more than one '@' in address";
    if (ats == 1 && (a.front() == '@' || a.back() == '@')) return "empty local part or domain";
    return "";
}

bool is_valid_envelope_address(std::string_view a) {
    return envelope_address_problem(a).empty();
}

static size_t unquoted_at(std::string_view a) {
    bool quoted = false;
    size_t at = std::string_view::npos;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] == '"')
            quoted = !quoted;
        else if (a[i] == '\\' && quoted)
            ++i;
        else if (a[i] == '@' && !quoted)
            at = i;
    }
    return at;
}

std::string domain_of(std::string_view a) {
    size_t at = unquoted_at(a);
    return at == std::string_view::npos ? std::string() : to_lower(a.substr(at + 1));
}

std::string_view local_part_of(std::string_view a) {
    return a.substr(0, unquoted_at(a));
}

std::string qualify(std::string_view a, std::string_view domain) {
    if (unquoted_at(a) != std::string_view::npos || domain.empty()) return std::string(a);
    return fmt::format("{}@{}", a, domain);
}

namespace {

// A small RFC 5322 lexer: enough for the address lists that mail clients write, and robust
// against anything else (every loop consumes input; nothing throws).
class AddressListParser {
  public:
    explicit AddressListParser(std::string_view text) : s_(text) {}

    std::vector<Mailbox> parse() {
        std::vector<Mailbox> out;
        std::string phrase, spec, comment;
        bool have_angle = false;
        auto finish = [&] {
            std::string addr =
                std::string(trim(have_angle ? angle_ : without_cfws_around_dots(spec)));
            if (!addr.empty()) {
                Mailbox m;
                m.address = addr;
                m.display_name = std::string(trim(have_angle ? phrase : comment));
                out.push_back(std::move(m));
            }
            phrase.clear(), spec.clear(), comment.clear(), angle_.clear();
            have_angle = false;
        };
        while (i_ < s_.size()) {
            char c = s_[i_];
            if (c == '(') {
                std::string text = read_comment();
                if (!comment.empty()) comment += ' ';
                comment += text;
            } else if (c == '"') {
                std::string q = read_quoted();
                if (!phrase.empty()) phrase += ' ';
                phrase += q;
                spec += '"' + escape_quoted(q) + '"';
            } else if (c == '<') {
                ++i_;
                angle_ = read_angle();
                have_angle = true;
            } else if (c == ',' || c == ';') {
                ++i_;
                finish();
            } else if (c == ':') {
                // group display name: forget what came before, keep parsing the members
                ++i_;
                phrase.clear(), spec.clear(), comment.clear();
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++i_;
                if (!phrase.empty() && phrase.back() != ' ') phrase += ' ';
                // Kept in the addr-spec so that "root RSET" stays two words (and is refused)
                // instead of becoming "rootRSET"; spaces around '.' and '@' go at the end.
                if (!spec.empty() && spec.back() != ' ') spec += ' ';
            } else {
                size_t start = i_;
                while (i_ < s_.size() && !is_special(s_[i_]))
                    ++i_;
                if (i_ == start) ++i_;  // a stray special such as '>' or ']'
                std::string_view atom = s_.substr(start, i_ - start);
                phrase += atom;
                spec += atom;
            }
        }
        finish();
        return out;
    }

  private:
    // "john . doe @ example.org" (obsolete but legal) -> "john.doe@example.org"
    static std::string without_cfws_around_dots(const std::string& spec) {
        std::string out;
        for (size_t i = 0; i < spec.size(); ++i) {
            char c = spec[i];
            bool next_sep = i + 1 < spec.size() && (spec[i + 1] == '.' || spec[i + 1] == '@');
            bool prev_sep = !out.empty() && (out.back() == '.' || out.back() == '@');
            if (c == ' ' && (next_sep || prev_sep)) continue;
            out += c;
        }
        return out;
    }
    static bool is_special(char c) {
        return c == '(' || c == '"' || c == '<' || c == '>' || c == ',' || c == ';' || c == ':' ||
               c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }
    static std::string escape_quoted(std::string_view q) {
        std::string out;
        for (char c : q) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        return out;
    }
    std::string read_comment() {
        std::string out;
        int depth = 0;
        do {
            char c = s_[i_++];
            if (c == '(') {
                if (depth++ > 0) out += c;
            } else if (c == ')') {
                if (--depth > 0) out += c;
            } else if (c == '\\' && i_ < s_.size()) {
                out += s_[i_++];
            } else {
                out += c;
            }
        } while (depth > 0 && i_ < s_.size());
        return out;
    }
    std::string read_quoted() {
        std::string out;
        ++i_;
        while (i_ < s_.size() && s_[i_] != '"') {
            if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
            out += s_[i_++];
        }
        if (i_ < s_.size()) ++i_;
        return out;
    }
    // Inside <...>: the addr-spec, without source routes (@a,@b:) and without white space or
    // comments outside quoted strings.
    std::string read_angle() {
        std::string out;
        while (i_ < s_.size() && s_[i_] != '>') {
            char c = s_[i_];
            if (c == '"') {
                out += '"' + escape_quoted(read_quoted()) + '"';
            } else if (c == '(') {
                read_comment();
            } else if (c == ':' && !out.empty() && out.front() == '@') {
                out.clear();  // obsolete source route
                ++i_;
            } else {
                if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out += c;
                ++i_;
            }
        }
        if (i_ < s_.size()) ++i_;
        return out;
    }

    std::string_view s_;
    size_t i_ = 0;
    std::string angle_;
};

}  // namespace

std::vector<Mailbox> parse_address_list(std::string_view text) {
    return AddressListParser(text).parse();
}

}  // namespace nullrelay
