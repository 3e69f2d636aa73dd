#include "maps/alias_map.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "mail/address.hpp"
#include "maps/logical_lines.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

// "if" and "endif" are keywords only as whole words ("if/x/" is fine, "iffy" is not).
bool starts_with_word(std::string_view s, std::string_view word) {
    return istarts_with(s, word) &&
           (s.size() == word.size() || !std::isalnum(static_cast<unsigned char>(s[word.size()])));
}

// Splits a result at commas outside double quotes; trims; drops empty items.
std::vector<std::string> split_results(std::string_view text) {
    std::vector<std::string> out;
    bool quoted = false;
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] == '"') quoted = !quoted;
        if (i < text.size() && text[i] == '\\' && quoted) {
            ++i;
            continue;
        }
        if (i == text.size() || (text[i] == ',' && !quoted)) {
            std::string_view item = trim(text.substr(start, i - start));
            if (!item.empty()) out.emplace_back(item);
            start = i + 1;
        }
    }
    return out;
}

struct ParsedPattern {
    bool negated = false;
    std::string regex;
    PatternFlags flags;
    std::string_view source;  // from the first '!' or delimiter to the last flag
    std::string_view rest;    // what follows, trimmed
};

Result<ParsedPattern> parse_pattern(std::string_view s) {
    ParsedPattern p;
    size_t i = 0;
    while (i < s.size() && is_blank(s[i]))
        ++i;
    const size_t begin = i;
    for (; i < s.size() && (s[i] == '!' || is_blank(s[i])); ++i)
        if (s[i] == '!') p.negated = !p.negated;
    if (i >= s.size()) return Error{EX_CONFIG, "expected a pattern such as /regex/"};
    const unsigned char delim = static_cast<unsigned char>(s[i]);
    if (std::isalnum(delim) || delim == '\\' || delim < 0x20 || delim >= 0x7f) {
        std::string_view word = s.substr(i, s.find_first_of(" \t", i) - i);
        return Error{EX_CONFIG,
                     fmt::format("expected a pattern such as /regex/, got '{}' (a regexp: or "
                                 "pcre: table has a pattern in delimiters on every line)",
                                 one_line(word))};
    }
    size_t j = i + 1;
    while (j < s.size() && static_cast<unsigned char>(s[j]) != delim) {
        if (s[j] == '\\' && j + 1 < s.size()) ++j;  // \/ does not close the pattern
        ++j;
    }
    if (j >= s.size())
        return Error{EX_CONFIG,
                     fmt::format("unclosed pattern: no closing '{}'", static_cast<char>(delim))};
    p.regex = std::string(s.substr(i + 1, j - i - 1));
    size_t k = j + 1;
    for (; k < s.size() && !is_blank(s[k]); ++k) {
        switch (s[k]) {
            case 'i':
                p.flags.caseless = !p.flags.caseless;
                break;
            case 'm':
                p.flags.multiline = !p.flags.multiline;
                break;
            case 's':
                p.flags.dotall = !p.flags.dotall;
                break;
            case 'x':
                p.flags.extended = !p.flags.extended;
                break;
            case 'A':
                p.flags.anchored = !p.flags.anchored;
                break;
            case 'E':
                p.flags.dollar_endonly = !p.flags.dollar_endonly;
                break;
            case 'U':
                p.flags.ungreedy = !p.flags.ungreedy;
                break;
            case 'X':
                break;  // PCRE_EXTRA: always in force with PCRE2
            default:
                return Error{EX_CONFIG,
                             fmt::format("unknown flag '{}' after the pattern (flags are i, m, "
                                         "s, x, A, E, U and X)",
                                         one_line(s.substr(k, 1)))};
        }
    }
    p.source = s.substr(begin, k - begin);
    p.rest = trim(s.substr(k));
    return p;
}

}  // namespace

class AliasMap::Parser {
  public:
    explicit Parser(AliasMap& map) : map_(map) {}

    Status line(std::string_view s, int lineno) {
        auto where = [&](const Error& e) {
            return Error{EX_CONFIG, fmt::format("{}:{}: {}", map_.path_, lineno, e.message)};
        };
        Status st = statement(s, lineno);
        return st ? st : where(st.error());
    }

    Status finish() {
        if (!open_.empty())
            return Error{EX_CONFIG, fmt::format("{}:{}: 'if' has no matching 'endif'", map_.path_,
                                                map_.entries_[open_.back()].line)};
        return ok_status();
    }

  private:
    Status statement(std::string_view s, int lineno) {
        s = trim(s);
        if (starts_with_word(s, "endif")) {
            if (!trim(s.substr(5)).empty()) return Error{EX_CONFIG, "text after 'endif'"};
            if (open_.empty()) return Error{EX_CONFIG, "'endif' without 'if'"};
            map_.entries_[open_.back()].end = map_.entries_.size();
            open_.pop_back();
            return ok_status();
        }
        const bool is_if = starts_with_word(s, "if");
        auto p = parse_pattern(is_if ? s.substr(2) : s);
        if (!p) return p.error();
        if (is_if && !p->rest.empty())
            return Error{EX_CONFIG,
                         fmt::format("text after the pattern of 'if': '{}'", one_line(p->rest))};
        if (!is_if && p->rest.empty()) return Error{EX_CONFIG, "no result after the pattern"};
        auto pattern = MapPattern::compile(p->regex, p->flags);
        if (!pattern) return pattern.error();
        Entry e(std::move(*pattern));
        e.negated = p->negated;
        e.is_if = is_if;
        e.line = lineno;
        e.source = std::string(is_if ? s : trim(s));
        if (!is_if) {
            auto pieces = parse_result(p->rest, e);
            if (!pieces) return pieces.error();
            e.result = std::move(*pieces);
            ++map_.rule_count_;
        }
        map_.max_captures_ = std::max(map_.max_captures_, e.pattern.capture_count());
        if (is_if) open_.push_back(map_.entries_.size());
        map_.entries_.push_back(std::move(e));
        return ok_status();
    }

    // "$1@example.net, ${2}x, $$": literal text and group references, checked against the
    // pattern now so that a typo is an error at load time, not a surprise at 3 a.m.
    static Result<std::vector<Piece>> parse_result(std::string_view r, Entry& e) {
        std::vector<Piece> out;
        std::string literal;
        for (size_t i = 0; i < r.size(); ++i) {
            if (r[i] != '$') {
                literal += r[i];
                continue;
            }
            if (i + 1 < r.size() && r[i + 1] == '$') {
                literal += '$';
                ++i;
                continue;
            }
            std::string_view name;
            size_t next = i + 1;
            if (next < r.size() && (r[next] == '{' || r[next] == '(')) {
                char close = r[next] == '{' ? '}' : ')';
                size_t end = r.find(close, next);
                if (end == std::string_view::npos)
                    return Error{EX_CONFIG, fmt::format("unclosed '${}' in the result", r[next])};
                name = r.substr(next + 1, end - next - 1);
                next = end + 1;
            } else {
                size_t end = next;
                while (end < r.size() &&
                       (std::isalnum(static_cast<unsigned char>(r[end])) || r[end] == '_'))
                    ++end;
                name = r.substr(next, end - next);
                next = end;
            }
            if (name.empty() || name.size() > 2 ||
                !std::all_of(name.begin(), name.end(),
                             [](unsigned char c) { return std::isdigit(c); }))
                return Error{EX_CONFIG,
                             fmt::format("'${}' in the result is not a group number: write $1, "
                                         "${{1}} or $$ for a dollar sign",
                                         one_line(name))};
            int n = std::stoi(std::string(name));
            if (e.negated)
                return Error{EX_CONFIG, fmt::format("${} in the result of a negated rule, which "
                                                    "matches when the pattern does not",
                                                    n)};
            if (n > e.pattern.capture_count())
                return Error{EX_CONFIG,
                             fmt::format("${} in the result, but the pattern has {} group{}", n,
                                         e.pattern.capture_count(),
                                         e.pattern.capture_count() == 1 ? "" : "s")};
            if (!literal.empty()) out.push_back({std::move(literal), -1});
            literal.clear();
            out.push_back({"", n});
            e.max_group = std::max(e.max_group, n);
            i = next - 1;
        }
        if (!literal.empty()) out.push_back({std::move(literal), -1});
        if (e.max_group < 0) {  // a fixed result: check its addresses now
            auto items = split_results(r);
            if (items.empty()) return Error{EX_CONFIG, "the result holds no address"};
            for (const auto& a : items)
                if (std::string why = envelope_address_problem(a); !why.empty())
                    return Error{EX_CONFIG, fmt::format("result '{}' is not an address: {}",
                                                        one_line(a), why)};
        }
        return out;
    }

    AliasMap& map_;
    std::vector<size_t> open_;  // the if entries whose endif has not come yet
};

Result<AliasMap> AliasMap::parse(std::string_view text, const std::string& path) {
    AliasMap map;
    map.path_ = path;
    Parser parser(map);
    auto lines = logical_lines(text, path, "a line");
    if (!lines) return lines.error();
    for (const LogicalLine& l : *lines)
        if (Status st = parser.line(l.joined(), l.number); !st) return st.error();
    if (Status st = parser.finish(); !st) return st.error();
    return map;
}

Result<AliasMap> AliasMap::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{EX_CONFIG, fmt::format("cannot read {}: {}", path, std::strerror(errno))};
    std::stringstream buf;
    buf << in.rdbuf();
    if (in.bad()) return Error{EX_CONFIG, fmt::format("cannot read {}", path)};
    return parse(buf.str(), path);
}

Result<bool> AliasMap::test(const Entry& e, std::string_view key, PatternMatcher& m) const {
    auto matched = m.match(e.pattern, key);
    if (!matched)
        return Error{matched.error().exit_code,
                     fmt::format("{}:{}: {} for '{}'", path_, e.line, matched.error().message,
                                 one_line(key))};
    return *matched != e.negated;
}

Result<std::optional<size_t>> AliasMap::scan(size_t begin, size_t end, std::string_view key,
                                             PatternMatcher& m) const {
    for (size_t i = begin; i < end;) {
        const Entry& e = entries_[i];
        auto t = test(e, key, m);
        if (!t) return t.error();
        if (e.is_if)
            i = *t ? i + 1 : e.end;  // enter the block, or skip it
        else if (*t)
            return std::optional<size_t>(i);
        else
            ++i;
    }
    return std::optional<size_t>();
}

MapMatch AliasMap::expand(const Entry& e, std::string_view key, const PatternMatcher& m) const {
    std::string text;
    for (const Piece& p : e.result)
        text += p.group >= 0 ? m.group(key, p.group) : std::string_view(p.text);
    return {e.line, e.source, split_results(text)};
}

Result<std::optional<MapMatch>> AliasMap::lookup(std::string_view key) const {
    // Rule by rule, in map order: a null client's map has a dozen lines, and pcre2_match
    // rejects a rule that cannot match at once (bench/alias_map_bench measures 10,000).
    PatternMatcher m(max_captures_);
    auto hit = scan(0, entries_.size(), key, m);
    if (!hit) return hit.error();
    if (!*hit) return std::optional<MapMatch>();
    return std::optional<MapMatch>(expand(entries_[**hit], key, m));
}

}  // namespace nullrelay
