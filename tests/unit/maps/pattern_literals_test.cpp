// Tests for pattern_literals.hpp: the prefixes and exact strings read from a pattern's text.
// A wrong prefix would make a map skip a rule that matches, so the cases lean on what must
// give no prefix at all.
#include "maps/pattern_literals.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "maps/map_pattern.hpp"
#include "util/text.hpp"

using namespace nullrelay;

TEST_CASE("pattern literals: prefixes", "[pattern_literals]") {
    struct Case {
        std::string regex;
        std::string prefixes;  // joined by '|'; "" for none known
        bool exact = false;
        bool caseless = true;
        bool anchored = false;
    };
    const std::vector<Case> cases = {
        {"^root$", "root", true},
        {"^Root$", "root", true},
        {"^Root$", "Root", true, false},
        {"^a\\.b\\@c$", "a.b@c", true},
        {"^svc-[0-9]+$", "svc-"},
        {"^(root|postmaster|abuse)$", "abuse|postmaster|root", true},
        {"^(?:root|admin)@", "admin@|root@"},
        {"^(ROOT|root)$", "root", true},
        {"^(a\\.b|c)d", "a.bd|cd"},
        // What must stop or refuse the prefix.
        {"^ab?c$", "a"},
        {"^ab*", "a"},
        {"^ab{2}", "a"},
        {"^ab+", "ab"},
        {"^a\\.?b", "a"},
        {"^ab\\d", "ab"},
        {"^a\\$", "a$"},
        {"^a$b", "a"},
        {"^ab|cd", ""},
        {"^ab(c|d)e$", "ab"},
        {"^ab[|]x", "ab"},
        {"^[a-z]+", ""},
        {"^ab\\Qx|y\\E", ""},
        {"^(?i)ab", ""},
        {"^(?=a)ab", ""},
        {"^ab(?i)c", ""},
        {"^(a|)b", ""},
        {"^(a|b)?c", ""},
        {"^(a|b)+c", ""},
        {"^(a|b*)c", ""},
        {"^(a|[bc])d", ""},
        {"^(a", ""},
        {"root", ""},
        {"root", "root", false, true, true},  // the A flag anchors
        {"^$", ""},
        {"^\xc3\xa9t\xc3\xa9$", ""},
    };
    for (const auto& c : cases) {
        INFO(c.regex);
        PatternLiterals lit = analyze_literals(c.regex, c.caseless, false, c.anchored);
        std::string joined;
        for (const auto& p : lit.prefixes)
            joined += (joined.empty() ? "" : "|") + p;
        CHECK(joined == c.prefixes);
        CHECK(lit.exact == c.exact);
    }
    // x: white space and # are not part of the pattern.
    CHECK(analyze_literals("^ro ot$", true, true, false).required.empty());
    CHECK(analyze_literals("^ro ot$", true, true, false).prefixes.empty());
}

TEST_CASE("pattern literals: a required substring", "[pattern_literals]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"^[a-z]+00042-[a-z]+$", "00042-"},
        {"@Example\\.net$", "@example.net"},
        {"^root$", "root"},
        {"x(abc)+yz", "yz"},
        {"(abc)?de", "de"},
        {"ab?cd", "cd"},
        {"abc+de", "abc"},
        {"ab*cdef{2}", "cde"},
        {"a[xyz]bc", "bc"},
        {"a[]x]bc[^]]de", "bc"},
        {"a[[:alpha:]]bc", "bc"},
        {"(a(b)c)de", "de"},
        {"(?<=ab)cd", "cd"},
        {"\\dab", "ab"},
        {"ab|cd", ""},
        {"a", ""},
        {"\\x41bc", ""},
        {"\\101bc", ""},
        {"\\p{L}bc", ""},
        {"(a)\\1bc", ""},
        {"\\Qab\\E", ""},
        {"(?#(x)abc", ""},
        {"(?i)abc", ""},
        {"(?x)a b c", ""},
        {"x(?-i:ab)cd", ""},
        {"(?<name>ab)cd", "cd"},
        {"(?:ab)cd", "cd"},
        {"ab{0,2}cd", "cd"},
        {"a{2}bc", "bc"},
        {"(ab", ""},
    };
    for (const auto& [regex, want] : cases) {
        INFO(regex);
        CHECK(analyze_literals(regex, true, false, false).required == want);
    }
    CHECK(analyze_literals("@Example", false, false, false).required == "@Example");
}

TEST_CASE("pattern literals agree with PCRE2 on every match", "[pattern_literals]") {
    // For each pattern and many subjects: whenever PCRE2 itself matches, the subject starts
    // with one of the prefixes, equals one when exact, and contains the required string.
    const std::vector<std::string> patterns = {
        "^root$",     "^(root|admin)$",  "^(root|admin)@", "^svc-[0-9]+$",  "^ab?c",
        "^ab+c",      "^a\\.b",          "00042-",         "^[a-z]+00042-", "x(ab)+c",
        "(ab)?cd",    "@example\\.net$", "^(?:ro|ad)o?t",  "a[]b]c",        "(?<=a)bc",
        "^r(o|a)+t$", "^Root$",          "ab|cd",          "^(a|ab)c$",     "^ab\\w+$",
        "^(?i)ROOT",  "b\\dc",           "^a.c$",          "^ab{0,2}c$",    "a{2}b",
        "^x{1,}y",    "[a-c]{2}de",      "(?|ab|cd)e",     "a\\Kbc",        "a(?=bc)bc",
        "^(r|R)oot",  "(ab){0}cd",
    };
    const std::vector<std::string> pieces = {
        "root", "admin", "ab", "c", "svc-", "1", "00042-", "x", "@",    "example",
        ".net", "R",     "O",  "a", "b",    "d", "t",      "o", "ROOT", "."};
    std::mt19937 rng(42);
    std::vector<std::string> subjects = {"", "root", "ROOT", "Root\n"};
    for (int n = 0; n < 3000; ++n) {
        std::string s;
        for (int k = static_cast<int>(rng() % 5); k > 0; --k)
            s += pieces[rng() % pieces.size()];
        subjects.push_back(s);
    }
    for (bool caseless : {true, false}) {
        for (const auto& re : patterns) {
            PatternFlags flags;
            flags.caseless = caseless;
            auto p = MapPattern::compile(re, flags);
            REQUIRE(p);
            const PatternLiterals& lit = p->literals();
            PatternMatcher m(p->capture_count());
            for (const auto& s : subjects) {
                auto r = m.match(*p, s);
                REQUIRE(r);
                if (!*r) continue;
                INFO(re << (caseless ? " (caseless)" : "") << " matches '" << s << "'");
                CHECK(p->may_match(Subject(s)));
                if (s.find('\n') != std::string::npos) continue;  // documented exception
                std::string folded = caseless ? to_lower(s) : s;
                if (!lit.required.empty()) CHECK(folded.find(lit.required) != std::string::npos);
                if (!lit.prefixes.empty()) {
                    bool starts = false, equals = false;
                    for (const auto& pre : lit.prefixes) {
                        starts = starts || folded.rfind(pre, 0) == 0;
                        equals = equals || folded == pre;
                    }
                    CHECK(starts);
                    if (lit.exact) CHECK(equals);
                }
            }
        }
    }
}
