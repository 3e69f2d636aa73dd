#include "maps/pattern_literals.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "util/text.hpp"

namespace nullrelay {

namespace {

bool is_meta(char c) {
    return std::string_view("^$.[]|()?*+{}\\").find(c) != std::string_view::npos;
}
bool is_optional_quantifier(std::string_view re, size_t i) {
    return i < re.size() && (re[i] == '?' || re[i] == '*' || re[i] == '{');
}

// The index just past the class that starts at re[i] ('['): a ']' right after '[' or '[^' is
// literal; [:alpha:] may sit inside. npos when it does not end.
size_t class_end(std::string_view re, size_t i) {
    size_t j = i + 1;
    if (j < re.size() && re[j] == '^') ++j;
    if (j < re.size() && re[j] == ']') ++j;
    while (j < re.size() && re[j] != ']') {
        if (re[j] == '\\') {
            j += 2;
        } else if (re[j] == '[' && j + 1 < re.size() && re[j + 1] == ':') {
            size_t end = re.find(":]", j + 2);
            if (end == std::string_view::npos) return std::string_view::npos;
            j = end + 2;
        } else {
            ++j;
        }
    }
    return j < re.size() ? j + 1 : std::string_view::npos;
}

// "(?" groups whose content reads as written. Inline options such as (?i) or (?x) change how
// the rest reads (case, white space): a pattern with one is beyond this scanner.
bool plain_group_at(std::string_view re, size_t i) {
    std::string_view g = re.substr(i);
    for (std::string_view ok : {"(?:", "(?=", "(?!", "(?<=", "(?<!", "(?>", "(?|"})
        if (g.substr(0, ok.size()) == ok) return true;
    return g.size() > 3 && g.substr(0, 3) == "(?<" &&
           std::isalpha(static_cast<unsigned char>(g[3]));  // (?<name>
}

// True when `re` has a '|' outside every group, i.e. alternatives that each start where they
// like; nullopt when the syntax is beyond this scanner (\Q...\E, verbs, comments, inline
// options).
std::optional<bool> has_top_level_alternation(std::string_view re) {
    int depth = 0;
    for (size_t i = 0; i < re.size(); ++i) {
        char c = re[i];
        if (c == '\\') {
            if (i + 1 < re.size() && (re[i + 1] == 'Q' || re[i + 1] == 'E')) return std::nullopt;
            ++i;
        } else if (c == '[') {
            if ((i = class_end(re, i)) == std::string_view::npos) return std::nullopt;
            --i;
        } else if (c == '(') {
            if (i + 1 < re.size() && re[i + 1] == '*') return std::nullopt;
            if (i + 1 < re.size() && re[i + 1] == '?' && !plain_group_at(re, i))
                return std::nullopt;
            ++depth;
        } else if (c == ')') {
            if (--depth < 0) return std::nullopt;
        } else if (c == '|' && depth == 0) {
            return true;
        }
    }
    return false;
}

// One literal character at re[i] (a plain character, or a backslash before punctuation);
// advances i. nullopt when re[i] is anything else.
std::optional<char> literal_at(std::string_view re, size_t& i) {
    unsigned char c = static_cast<unsigned char>(re[i]);
    if (c == '\\') {
        if (i + 1 >= re.size()) return std::nullopt;
        unsigned char e = static_cast<unsigned char>(re[i + 1]);
        if (std::isalnum(e) || e < 0x21 || e >= 0x7f) return std::nullopt;  // \d, \x41, \Q
        i += 2;
        return static_cast<char>(e);
    }
    if (c < 0x20 || c >= 0x7f || is_meta(static_cast<char>(c))) return std::nullopt;
    ++i;
    return static_cast<char>(c);
}

// A leading group of literal alternatives, "(root|admin)" or "(?:root|admin)", not followed
// by a quantifier: its alternatives, and i moved past it. nullopt for anything else.
std::optional<std::vector<std::string>> literal_group_at(std::string_view re, size_t& i) {
    size_t j = i + 1;
    if (re.substr(j, 2) == "?:")
        j += 2;
    else if (j < re.size() && (re[j] == '?' || re[j] == '*'))
        return std::nullopt;  // lookaround, named group, inline options, verbs
    std::vector<std::string> alternatives(1);
    for (;;) {
        if (j >= re.size()) return std::nullopt;
        if (re[j] == ')') break;
        if (re[j] == '|') {
            alternatives.emplace_back();
            ++j;
            continue;
        }
        auto c = literal_at(re, j);
        if (!c || is_optional_quantifier(re, j) || (j < re.size() && re[j] == '+'))
            return std::nullopt;
        alternatives.back() += *c;
    }
    ++j;  // the ')'
    if (is_optional_quantifier(re, j) || (j < re.size() && re[j] == '+')) return std::nullopt;
    if (std::any_of(alternatives.begin(), alternatives.end(),
                    [](const std::string& a) { return a.empty(); }))
        return std::nullopt;
    i = j;
    return alternatives;
}

// The longest run of literal characters outside groups and classes that no quantifier makes
// optional or repeats: every match contains it. "" when unsure.
std::string required_run(std::string_view re) {
    std::string best, run;
    auto end_run = [&] {
        if (run.size() > best.size()) best = run;
        run.clear();
    };
    for (size_t i = 0; i < re.size();) {
        const size_t at = i;
        if (auto c = literal_at(re, i)) {
            if (is_optional_quantifier(re, i)) {  // "ab?": the b may be absent
                end_run();
            } else {
                run += *c;
                if (i < re.size() && re[i] == '+') end_run();  // "ab+c" need not hold "abc"
            }
            continue;
        }
        end_run();
        i = at;
        if (re[i] == '\\') {
            // One-letter classes and assertions only: \x41, \101, \p{L}, \g1... have
            // arguments that must not be read as literal characters.
            if (i + 1 >= re.size() ||
                std::string_view("dDwWsSbBAzZGhHvVRXK").find(re[i + 1]) == std::string_view::npos)
                return "";
            i += 2;
        } else if (re[i] == '[') {
            if ((i = class_end(re, i)) == std::string_view::npos) return "";
        } else if (re[i] == '(') {  // the whole group, nested groups and classes included
            int depth = 0;
            for (; i < re.size(); ++i) {
                if (re[i] == '\\') {
                    ++i;
                } else if (re[i] == '[') {
                    if ((i = class_end(re, i)) == std::string_view::npos) return "";
                    --i;
                } else if (re[i] == '(') {
                    ++depth;
                } else if (re[i] == ')' && --depth == 0) {
                    break;
                }
            }
            if (i >= re.size()) return "";
            ++i;
        } else if (re[i] == '{') {  // {n,m}: its digits are no literal text
            if ((i = re.find('}', i)) == std::string_view::npos) return "";
            ++i;
        } else {
            ++i;  // ^ $ . and the quantifier of a group or class
        }
    }
    end_run();
    return best.size() >= 2 ? best : "";
}

}  // namespace

PatternLiterals analyze_literals(std::string_view re, bool caseless, bool extended, bool anchored) {
    PatternLiterals out;
    // x: white space and # mean something else. A top-level | makes every part optional.
    if (extended || has_top_level_alternation(re) != std::optional<bool>(false)) return out;
    out.required = required_run(re);
    if (caseless) out.required = to_lower(out.required);
    // Without '^' (or A) a match starts anywhere: no prefix.
    size_t i = 0;
    if (!re.empty() && re[0] == '^')
        i = 1;
    else if (!anchored)
        return out;

    std::vector<std::string> prefixes(1);
    if (i < re.size() && re[i] == '(') {
        if (auto group = literal_group_at(re, i)) prefixes = std::move(*group);
    }
    for (;;) {
        if (i + 1 == re.size() && re[i] == '$') {
            out.exact = true;
            break;
        }
        if (i >= re.size()) break;
        size_t at = i;
        auto c = literal_at(re, i);
        if (!c) break;
        if (is_optional_quantifier(re, i)) {  // "ab?": the b may be absent
            i = at;
            break;
        }
        for (auto& p : prefixes)
            p += *c;
    }
    if (prefixes.front().empty()) {  // no prefix known
        out.exact = false;
        return out;
    }
    // Without UTF mode (which needs "(*UTF)", never a prefix) PCRE2 folds ASCII letters only.
    if (caseless)
        for (auto& p : prefixes)
            p = to_lower(p);
    std::sort(prefixes.begin(), prefixes.end());
    prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
    out.prefixes = std::move(prefixes);
    return out;
}

}  // namespace nullrelay
