// Tests for address.hpp: envelope validation (the last check before an address reaches an SMTP
// command line), domain/local-part helpers, and the RFC 5322 address-list parser.
#include "mail/address.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace nullrelay;
using namespace std::string_literals;

TEST_CASE("envelope_address_problem accepts good addresses", "[address]") {
    const std::vector<std::string> good = {
        "root",
        "user@example.org",
        "first.last+tag@sub.example.org",
        "!#$%&'*+-/=?^_`{|}~@example.org",                   // every atext special
        "\"john doe\"@example.org",                          // space inside a quoted local part
        "\"a@b\"@example.org",                               // '@' inside quotes does not count
        "\"quote\\\"d\"@example.org",                        // quoted-pair
        std::string(64, 'a') + "@" + std::string(255, 'b'),  // 320 bytes exactly
    };
    for (const auto& a : good) {
        INFO(a);
        CHECK(envelope_address_problem(a).empty());
        CHECK(is_valid_envelope_address(a));
    }
}

TEST_CASE("envelope_address_problem refuses bad addresses", "[address]") {
    struct Case {
        const char* label;
        std::string input;
        std::string want;  // a fragment of the explanation
    };
    const std::vector<Case> cases = {
        {"empty", "", "empty address"},
        {"CR", "a@b\rc", "control character"},
        {"LF", "a@b\nc", "control character"},
        {"CRLF injection", "a@b\r\nRCPT TO:<x@y>", "control character"},
        {"NUL", "a\0b@c"s, "control character"},
        {"DEL", "a\x7f@b", "control character"},
        {"TAB", "a\t@b", "control character"},
        {"less-than", "<a@b", "'<' or '>'"},
        {"greater-than", "a@b>", "'<' or '>'"},
        {"space outside quotes", "john doe@example.org", "space"},
        {"two @", "a@b@c", "more than one '@'"},
        {"empty local part", "@example.org", "empty local part or domain"},
        {"empty domain", "user@", "empty local part or domain"},
        {"unbalanced quote", "\"john@example.org", "unbalanced quote"},
        {"321 bytes", std::string(65, 'a') + "@" + std::string(255, 'b'), "longer than 320"},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        std::string why = envelope_address_problem(c.input);
        CHECK_THAT(why, Catch::Contains(c.want));
        CHECK_FALSE(is_valid_envelope_address(c.input));
    }
}

// Bug: envelope_address_problem() skips the character after a backslash inside quotes without
// checking it, so an escaped CR, LF, NUL or angle bracket passes and reaches libcurl's RCPT TO.
TEST_CASE("envelope_address_problem checks quoted-pair characters too", "[address]") {
    const std::vector<std::string> bad = {
        "\"a\\\r\\\nRCPT TO:x\"@example.org",  // escaped CR LF: an SMTP command injection
        "\"a\\\n\"@example.org",
        "\"a\\\0\"@example.org"s,
        "\"a\\>\"@example.org",
    };
    for (const auto& a : bad) {
        INFO(a);
        CHECK_FALSE(is_valid_envelope_address(a));
    }
}

TEST_CASE("domain_of, local_part_of and qualify", "[address]") {
    struct Case {
        const char* input;
        std::string domain;
        std::string local;
        std::string qualified;  // with "example.org"
    };
    const std::vector<Case> cases = {
        {"root", "", "root", "root@example.org"},
        {"User@Example.ORG", "example.org", "User", "User@Example.ORG"},
        {"\"a@b\"@host.test", "host.test", "\"a@b\"", "\"a@b\"@host.test"},
        {"\"a@b\"", "", "\"a@b\"", "\"a@b\"@example.org"},
    };
    for (const auto& c : cases) {
        INFO(c.input);
        CHECK(domain_of(c.input) == c.domain);
        CHECK(local_part_of(c.input) == c.local);
        CHECK(qualify(c.input, "example.org") == c.qualified);
    }
    CHECK(qualify("root", "") == "root");  // nothing to qualify with
}

TEST_CASE("parse_address_list", "[address]") {
    struct Case {
        const char* label;
        std::string input;
        std::vector<Mailbox> want;
    };
    const std::vector<Case> cases = {
        {"bare address", "a@b", {{"", "a@b"}}},
        {"comment as display name", "root (Cron Daemon)", {{"Cron Daemon", "root"}}},
        {"quoted name with comma", "\"Doe, John\" <j@x>", {{"Doe, John", "j@x"}}},
        {"name and angle", "John Doe <john@example.org>", {{"John Doe", "john@example.org"}}},
        {"two addresses", "a@b, c@d", {{"", "a@b"}, {"", "c@d"}}},
        {"trailing comma", "a@b,", {{"", "a@b"}}},
        {"empty group", "undisclosed-recipients:;", {}},
        {"group with members", "team: a@x, b@y;", {{"", "a@x"}, {"", "b@y"}}},
        {"group then address", "team: a@x;, c@z", {{"", "a@x"}, {"", "c@z"}}},
        {"source route", "<@route:u@x>", {{"", "u@x"}}},
        {"two-hop source route", "<@a,@b:u@x>", {{"", "u@x"}}},
        {"folded", "a@b,\r\n c@d", {{"", "a@b"}, {"", "c@d"}}},
        {"comment inside angle", "<u(comment)@x>", {{"", "u@x"}}},
        {"obsolete spaces around dots", "john . doe @ example.org", {{"", "john.doe@example.org"}}},
        {"two words stay two words", "root RSET", {{"", "root RSET"}}},
        {"CRLF between words", "root\r\nRSET", {{"", "root RSET"}}},
        {"empty", "", {}},
        {"only commas", ", ,;", {}},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        auto got = parse_address_list(c.input);
        REQUIRE(got.size() == c.want.size());
        for (size_t i = 0; i < got.size(); ++i) {
            CHECK(got[i].address == c.want[i].address);
            CHECK(got[i].display_name == c.want[i].display_name);
        }
    }
}

TEST_CASE("parse_address_list survives garbage", "[address]") {
    // Fixed seed: a failure is reproducible. Biased towards the parser's special characters.
    std::mt19937 rng(20240601);
    const std::string specials = "ab.()<>\"\\,;:@ \t\r\n[]";
    std::uniform_int_distribution<int> len(0, 64), pick(0, 3), byte(0, 255);
    std::uniform_int_distribution<size_t> special(0, specials.size() - 1);
    size_t total = 0, bad = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string input;
        for (int n = len(rng); n > 0; --n)
            input += pick(rng) == 0 ? static_cast<char>(byte(rng)) : specials[special(rng)];
        // Every mailbox it returns is non-empty and no longer than quoting could make it.
        for (const auto& m : parse_address_list(input)) {
            ++total;
            if (m.address.empty() || m.address.size() > 2 * input.size()) ++bad;
        }
    }
    CHECK(bad == 0);
    CHECK(total > 0);  // the loop did exercise the parser's output path
}

// Issue 16, item 6: a C1 control in -f reached mailq's output. Refused at submission, raw or
// UTF-8 encoded; UTF-8 letters whose second byte is in 0x80-0x9F (U+0105: c4 85) pass.
TEST_CASE("envelope_address_problem refuses C1 controls, not UTF-8 letters", "[address]") {
    for (std::string bad : {"evil\x9b"
                            "2J@example.org"s,
                            "evil\xc2\x9b@example.org"s, "a@ex\x85mple.org"s}) {
        INFO(bad);
        CHECK(envelope_address_problem(bad) == "control character in address");
    }
    CHECK(
        is_valid_envelope_address("\xc4\x85"
                                  "ngstr\xc3\xb6m@example.org"));
}
