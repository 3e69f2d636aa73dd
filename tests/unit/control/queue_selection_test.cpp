// Tests for queue_selection.hpp: patterns (substring or glob, case-insensitive), which
// envelopes a selection picks, and queue ids as typed on the command line.
#include "control/queue_selection.hpp"

#include <catch2/catch.hpp>

#include <sysexits.h>

using namespace nullrelay;

TEST_CASE("address_matches: substring unless glob characters", "[queue_selection]") {
    struct Case {
        const char* pattern;
        const char* address;
        bool want;
    };
    const Case cases[] = {
        {"example.org", "root@example.org", true},
        {"EXAMPLE.org", "root@Example.ORG", true},          // case ignored
        {"@example.org", "root@example.org.evil", true},    // a substring is a substring
        {"*@example.org", "root@example.org.evil", false},  // a glob matches it all
        {"*@example.org", "root@EXAMPLE.org", true},
        {"r??t@*", "root@x", true},
        {"r??t@*", "rooot@x", false},
        {"[rs]oot@*", "soot@x", true},
        {"gmail", "root@example.org", false},
        {"", "anything", true},
    };
    for (const auto& c : cases) {
        INFO(c.pattern << " vs " << c.address);
        CHECK(address_matches(c.pattern, c.address) == c.want);
    }
}

TEST_CASE("matches_patterns: sender and undelivered recipients", "[queue_selection]") {
    Envelope e;
    e.sender = "cron@host.example.org";
    e.recipients = {{"admin@example.net", "root", RecipientState::pending, ""},
                    {"done@example.com", "", RecipientState::sent, "250 ok"},
                    {"gone@example.edu", "", RecipientState::bounced, "550 no"}};
    auto pick = [&](std::string recipient, std::string sender) {
        Selection s;
        s.recipient = std::move(recipient);
        s.sender = std::move(sender);
        return matches_patterns(s, e);
    };
    CHECK(pick("", ""));
    CHECK(pick("example.net", ""));
    CHECK(pick("root", ""));               // as submitted
    CHECK(pick("example.edu", ""));        // failed recipients are still shown, still selectable
    CHECK_FALSE(pick("example.com", ""));  // delivered: not shown by mailq, not selected
    CHECK(pick("", "cron@"));
    CHECK_FALSE(pick("", "www-data"));
    CHECK_FALSE(pick("example.net", "www-data"));  // both must match
    e.sender = "";
    CHECK(pick("", "MAILER-DAEMON"));
}

TEST_CASE("canonical_queue_id", "[queue_selection]") {
    CHECK(*canonical_queue_id("0619A2B3C4D5E001") == "0619A2B3C4D5E001");
    CHECK(*canonical_queue_id("0619a2b3c4d5e001") == "0619A2B3C4D5E001");
    CHECK(*canonical_queue_id("0619A2B3C4D5E001*") == "0619A2B3C4D5E001");  // pasted from mailq
    CHECK(*canonical_queue_id("0619A2B3C4D5E001!") == "0619A2B3C4D5E001");
    for (const char* bad : {"", "0619A2B3C4D5E00", "0619A2B3C4D5E0011", "../../etc/passwd",
                            "0619A2B3C4D5E00G", "0619A2B3C4D5E001**"}) {
        INFO(bad);
        auto id = canonical_queue_id(bad);
        REQUIRE_FALSE(id);
        CHECK(id.error().exit_code == EX_USAGE);
    }
}
