// Tests for alias_map.hpp and map_pattern.hpp: every element of the regexp:/pcre: table syntax,
// Postfix's documented examples, first-match-wins (if/endif blocks included), the match limit,
// and load errors that name the file and line.
#include "maps/alias_map.hpp"

#include <catch2/catch.hpp>

#include <sysexits.h>

#include <string>
#include <vector>

using namespace nullrelay;

namespace {

const std::string kPath = "/etc/nullrelay/aliases";

AliasMap parse_ok(const std::string& text) {
    auto m = AliasMap::parse(text, kPath);
    INFO(text);
    if (!m) FAIL(m.error().message);
    return std::move(*m);
}

// The results for `key`, joined with ", "; "-" when no rule matches.
std::string look_up(const AliasMap& map, const std::string& key) {
    auto r = map.lookup(key);
    if (!r) return "error: " + r.error().message;
    if (!*r) return "-";
    std::string out;
    for (const auto& a : (*r)->results)
        out += (out.empty() ? "" : ", ") + a;
    return out;
}

struct Case {
    const char* label;
    std::string map;
    std::string key;
    std::string want;  // results joined by ", ", or "-" for no match
};

void run(const std::vector<Case>& cases) {
    for (const auto& c : cases) {
        INFO(c.label << "\nmap:\n" << c.map << "key: " << c.key);
        auto m = AliasMap::parse(c.map, kPath);
        REQUIRE(m);
        CHECK(look_up(*m, c.key) == c.want);
    }
}

}  // namespace

TEST_CASE("alias map: rules, flags and negation", "[alias_map]") {
    run({
        {"plain rule", "/^root$/ admin@example.net\n", "root", "admin@example.net"},
        {"no match", "/^root$/ admin@example.net\n", "rooted", "-"},
        {"caseless by default", "/^root$/ admin@example.net\n", "ROOT", "admin@example.net"},
        {"i toggles to case-sensitive", "/^root$/i admin@example.net\n", "ROOT", "-"},
        {"ii toggles back", "/^root$/ii admin@example.net\n", "ROOT", "admin@example.net"},
        {"case-sensitive still matches its case", "/^root$/i a@x.org\n", "root", "a@x.org"},
        {"classic catch-all", "/.+/ admin@example.net\n", "anything@else.org", "admin@example.net"},
        {"negated matches when the pattern does not", "!/@example\\.net$/ out@example.net\n",
         "bob@example.com", "out@example.net"},
        {"negated does not match when it does", "!/@example\\.net$/ out@example.net\n",
         "bob@example.net", "-"},
        {"double negation", "!!/^root$/ a@x.org\n", "root", "a@x.org"},
        {"space between ! and pattern", "! /^root$/ a@x.org\n", "bob", "a@x.org"},
        {"x: white space ignored", "/^ r o o t $/x a@x.org\n", "root", "a@x.org"},
        {"without x a space is literal", "/^r oot$/ a@x.org\n", "r oot", "a@x.org"},
        {"m: ^ after a newline", "/^b$/m a@x.org\n", "a\nb", "a@x.org"},
        {"without m", "/^b$/ a@x.org\n", "a\nb", "-"},
        {"s: dot matches newline", "/^a.b$/s a@x.org\n", "a\nb", "a@x.org"},
        {"A: anchored", "/b/A a@x.org\n", "ab", "-"},
        {"unanchored without A", "/b/ a@x.org\n", "ab", "a@x.org"},
        {"E: $ only at the very end", "/^a$/E a@x.org\n", "a\n", "-"},
        {"$ before a final newline", "/^a$/ a@x.org\n", "a\n", "a@x.org"},
        {"U: ungreedy", "/^(a+)/U $1@x.org\n", "aaa", "a@x.org"},
        {"X: accepted", "/^root$/X a@x.org\n", "root", "a@x.org"},
        {"other delimiter", "|^root$| a@x.org\n", "root", "a@x.org"},
        {"delimiter % with flags", "%^ROOT$%i a@x.org\n", "root", "-"},
        {"escaped delimiter", "/^a\\/b$/ a@x.org\n", "a/b", "a@x.org"},
        {"a line starting with # is a comment, even as a delimiter", "#^a\\#b$# a@x.org\n", "a#b",
         "-"},
        {"! then other delimiter", "!#^a$# a@x.org\n", "b", "a@x.org"},
    });
}

TEST_CASE("alias map: results, substitution and lists", "[alias_map]") {
    run({
        {"$1", "/^([^@]+)$/ $1@example.net\n", "pi", "pi@example.net"},
        {"${1}", "/^([^@]+)$/ ${1}@example.net\n", "pi", "pi@example.net"},
        {"$(1)", "/^([^@]+)$/ $(1)@example.net\n", "pi", "pi@example.net"},
        {"two groups", "/^(.*)@(.*)$/ $2.$1@relay.example\n", "bob@host", "host.bob@relay.example"},
        {"$0 is the whole match", "/^r..t$/ $0@example.net\n", "root", "root@example.net"},
        {"$$ is a dollar", "/^(a)$/ x$$$1@y.org\n", "a", "x$a@y.org"},
        {"unset group is empty", "/^(a)?(b)$/ x$1$2@y.org\n", "b", "xb@y.org"},
        {"list", "/^root$/ a@x.org, b@y.org,c@z.org\n", "root", "a@x.org, b@y.org, c@z.org"},
        {"list with empty items", "/^root$/ a@x.org,, b@y.org,\n", "root", "a@x.org, b@y.org"},
        {"comma inside quotes", "/^root$/ \"a,b\"@x.org, c@y.org\n", "root",
         "\"a,b\"@x.org, c@y.org"},
        {"bare local result", "/^www-data$/ root\n", "www-data", "root"},
        {"a comma from the key splits the result", "/^(.*)$/ $1\n", "x,y", "x, y"},
    });
}

TEST_CASE("alias map: comments, continuation lines, first match wins", "[alias_map]") {
    run({
        {"comments and blank lines",
         "# a comment\n\n   \n  # an indented comment\n/^root$/ a@x.org\n# end\n", "root",
         "a@x.org"},
        {"CRLF lines", "# c\r\n/^root$/ a@x.org\r\n", "root", "a@x.org"},
        {"continuation of the result", "/^root$/ a@x.org,\n  b@y.org\n", "root",
         "a@x.org, b@y.org"},
        {"result on the next line (pcre_table(5) example)",
         "/^noddy@my\\.domain$/\n noddy-handler@example.net\n", "noddy@my.domain",
         "noddy-handler@example.net"},
        {"comment between a line and its continuation", "/^root$/ a@x.org,\n# note\n b@y.org\n",
         "root", "a@x.org, b@y.org"},
        {"first match wins", "/^r/ first@x.org\n/^root$/ second@x.org\n", "root", "first@x.org"},
        {"a literal rule before a pattern", "/^root$/ first@x.org\n/^r/ second@x.org\n", "root",
         "first@x.org"},
        {"the earlier of two equal literals", "/^root$/ a@x.org\n/^ROOT$/ b@x.org\n", "Root",
         "a@x.org"},
        {"case-sensitive literal after caseless", "/^ROOT$/i a@x.org\n/^root$/ b@x.org\n", "ROOT",
         "a@x.org"},
        {"prefix rule after a literal rule for another key", "/^rootx$/ a@x.org\n/^root/ b@x.org\n",
         "rootx", "a@x.org"},
        {"negated rule between prefix rules",
         "/^zz/ a@x.org\n!/^r/ b@x.org\n/^ro/ c@x.org\n/^root$/ d@x.org\n", "root", "c@x.org"},
        {"$ with a newline: rule by rule", "/^root$/ a@x.org\n/^root\\n$/ b@x.org\n", "root\n",
         "a@x.org"},
    });
}

TEST_CASE("alias map: if and endif", "[alias_map]") {
    const std::string map =
        "if /@example\\.org$/\n"
        "/^root@/ admin@example.net\n"
        "if !/^svc-/\n"
        "/^([^@]+)@/ ${1}@example.net\n"
        "endif\n"
        "/^svc-/ services@example.net\n"
        "endif\n"
        "IF /^x$/\n"  // keywords are caseless, as in Postfix
        "/^x$/ x@example.net\n"
        "ENDIF\n"
        "/@localhost$/ local@example.net\n";
    run({
        {"inside the block", map, "root@example.org", "admin@example.net"},
        {"nested if !", map, "pi@example.org", "pi@example.net"},
        {"nested if ! excluded", map, "svc-web@example.org", "services@example.net"},
        {"outside the block", map, "root@localhost", "local@example.net"},
        {"uppercase keywords", map, "x", "x@example.net"},
        {"nothing", map, "root@example.com", "-"},
        {"if/x/ without a space", "if/^a/\n/b$/ a@x.org\nendif\n", "ab", "a@x.org"},
    });
}

TEST_CASE("alias map: Postfix's documented examples", "[alias_map]") {
    // pcre_table(5) and regexp_table(5) EXAMPLES, with access-map verdicts ("550 Use ...")
    // replaced by addresses: an alias map's results are addresses.
    const std::string map =
        "# Protect your outgoing majordomo exploders\n"
        "/^(?!owner-)(.*)-outgoing@(.*)/ ${1}@${2}\n"
        "\n"
        "# Bounce friend@whatever, except when whatever is our domain\n"
        "/^(friend@(?!my\\.domain$).*)$/  postmaster@my.domain\n"
        "\n"
        "# A multi-line entry. The text is sent as one line.\n"
        "#\n"
        "/^noddy@my\\.domain$/\n"
        " funny-one@my.domain\n"
        "\n"
        "# Protect your outgoing majordomo exploders (regexp_table form)\n"
        "if !/^owner-/\n"
        "/^(.*)-outgoing2@(.*)$/  ${1}@${2}\n"
        "endif\n";
    run({
        {"exploder", map, "list-outgoing@my.domain", "list@my.domain"},
        {"exploder owner", map, "owner-list-outgoing@my.domain", "-"},
        {"friend elsewhere", map, "friend@other.domain", "postmaster@my.domain"},
        {"friend here", map, "friend@my.domain", "-"},
        {"multi-line entry", map, "noddy@my.domain", "funny-one@my.domain"},
        {"if ! block", map, "list-outgoing2@my.domain", "list@my.domain"},
        {"if ! block excluded", map, "owner-list-outgoing2@my.domain", "-"},
    });
    // The seed of a Postfix null client (examples/postfix-null-client) and the classic maps.
    run({
        {"classic catch-all", "/.+/ admin@example.net\n", "root", "admin@example.net"},
        {"classic two-rule map, admin",
         "/^(root|postmaster|abuse)$/ admin@example.net\n/^([^@]+)$/ ${1}@example.net\n", "abuse",
         "admin@example.net"},
        {"classic two-rule map, user",
         "/^(root|postmaster|abuse)$/ admin@example.net\n/^([^@]+)$/ ${1}@example.net\n", "pi",
         "pi@example.net"},
    });
}

TEST_CASE("alias map: load errors name the file and line", "[alias_map]") {
    struct Bad {
        const char* label;
        std::string map;
        std::string want;  // a fragment, after "<path>:<line>: "
        int line;
    };
    const std::vector<Bad> cases = {
        {"unclosed pattern", "# ok\n/^root$/ a@x.org\n/^root a@x.org\n", "unclosed pattern", 3},
        {"unclosed: trailing backslash", "/^root\\/ a@x.org\n", "unclosed pattern", 1},
        {"unknown flag", "\n/^root$/q a@x.org\n", "unknown flag 'q'", 2},
        {"$N beyond the groups", "/^(r)oot$/ $2@x.org\n",
         "$2 in the result, but the pattern has 1 group", 1},
        {"$N without groups", "/^root$/ $1@x.org\n", "but the pattern has 0 groups", 1},
        {"$ followed by a letter", "/^(root)$/ $x@y.org\n", "not a group number", 1},
        {"$1 glued to a letter", "/^(root)$/ $1x@y.org\n", "not a group number", 1},
        {"lone $", "/^(root)$/ a$@y.org\n", "not a group number", 1},
        {"unclosed ${", "/^(root)$/ ${1@y.org\n", "unclosed '${'", 1},
        {"$1 in a negated rule", "!/^(root)$/ $1@y.org\n", "negated rule", 1},
        {"bad regex", "\n\n/^(root$/ a@x.org\n",
         "bad regular expression: missing closing parenthesis", 3},
        {"bad regex: repeat", "/*a/ a@x.org\n", "bad regular expression", 1},
        {"no result", "/^root$/\n", "no result after the pattern", 1},
        {"result not an address", "/^root$/ a b@x.org\n", "result 'a b@x.org' is not an address",
         1},
        {"an access map verdict", "/[%!@].*[%!@]/ 550 Sender-specified routing rejected\n",
         "is not an address", 1},
        {"result with angle brackets", "/^root$/ <a@x.org>\n", "not an address", 1},
        {"empty result list", "/^root$/ ,\n", "holds no address", 1},
        {"hash-table syntax", "root admin@example.net\n",
         "expected a pattern such as /regex/, got 'root'", 1},
        {"alphanumeric delimiter", "!a^roota b@x.org\n", "expected a pattern", 1},
        {"only a bang", "!\n", "expected a pattern", 1},
        {"continuation first", "  /^root$/ a@x.org\n", "continues a line", 1},
        {"endif without if", "/^a$/ a@x.org\nendif\n", "'endif' without 'if'", 2},
        {"if without endif", "if /^a/\n/^ab$/ a@x.org\nif /^x/\nendif\n",
         "'if' has no matching 'endif'", 1},
        {"text after endif", "if /a/\nendif x\n", "text after 'endif'", 2},
        {"text after if", "if /a/ a@x.org\nendif\n", "text after the pattern of 'if'", 1},
        {"error on a continued line names its first line",
         "/^a$/ a@x.org\n/^(b)$/ x@y.org,\n  $2@z.org\n", "$2", 2},
    };
    for (const auto& c : cases) {
        INFO(c.label << "\n" << c.map);
        auto m = AliasMap::parse(c.map, kPath);
        REQUIRE_FALSE(m);
        CHECK(m.error().exit_code == EX_CONFIG);
        CHECK_THAT(m.error().message,
                   Catch::StartsWith(kPath + ":" + std::to_string(c.line) + ": "));
        CHECK_THAT(m.error().message, Catch::Contains(c.want));
    }
}

TEST_CASE("alias map: load reads a file, and names it when it cannot", "[alias_map]") {
    auto missing = AliasMap::load("/nonexistent/aliases");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().exit_code == EX_CONFIG);
    CHECK_THAT(missing.error().message, Catch::Contains("cannot read /nonexistent/aliases"));
}

TEST_CASE("alias map: a backtracking pattern stops at the match limit", "[alias_map]") {
    // Threat: a local user picks an address that makes a careless rule run for minutes.
    AliasMap m = parse_ok("/^(a+)+$/ x@example.net\n/./ y@example.net\n");
    auto r = m.lookup(std::string(40, 'a') + "!");
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains(kPath + ":1: "));
    CHECK_THAT(r.error().message, Catch::Contains("limit"));
    CHECK(look_up(m, "aaaa") == "x@example.net");  // an ordinary key still works
}

TEST_CASE("alias map: counts rules and records where a match came from", "[alias_map]") {
    AliasMap m = parse_ok("# c\nif /x/\n/^x1$/ a@x.org\nendif\n/^root$/   b@x.org\n");
    CHECK(m.rule_count() == 2);
    CHECK(m.path() == kPath);
    auto r = m.lookup("root");
    REQUIRE(r);
    REQUIRE(*r);
    CHECK((*r)->line == 5);
    CHECK((*r)->rule == "/^root$/   b@x.org");
}
