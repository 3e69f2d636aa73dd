// Tests for envelope.hpp: the queue file format. Serialised envelopes are compared byte for
// byte with golden files in tests/data; the parser is strict and never crashes on damage.
#include "queue/envelope.hpp"

#include <catch2/catch.hpp>

#include "golden.hpp"

#include <sysexits.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace nullrelay;
using namespace std::string_literals;

namespace {

Envelope basic_envelope() {
    Envelope e;
    e.id = "0619A2B3C4D5E001";
    e.arrival = 1717243200;
    e.submitter_uid = 1000;
    e.submitter_name = "alice";
    e.sender = "alice@example.org";
    e.size = 1234;
    e.attempts = 2;
    e.next_attempt = 1717246800;
    e.last_error = "mx.example.org[192.0.2.1]:587: 451 4.3.0 Try again later";
    e.recipients = {
        {"bob@example.org", "bob", RecipientState::pending, "451 4.3.0 Try again later"},
        {"carol@example.org", "carol@example.org", RecipientState::sent, "250 2.1.5 Ok"},
        {"dave@example.org", "dave", RecipientState::bounced,
         "550 5.1.1 <dave@example.org>: Recipient address rejected"},
    };
    return e;
}

Envelope null_sender_envelope() {
    Envelope e;
    e.id = "0619A2B3C4D5EFFF";
    e.recipients = {{"root@example.org", "", RecipientState::pending, ""}};
    return e;
}

// Replaces the first occurrence of `from` in `text`.
std::string edit(std::string text, const std::string& from, const std::string& to) {
    auto pos = text.find(from);
    REQUIRE(pos != std::string::npos);
    return text.replace(pos, from.size(), to);
}

}  // namespace

TEST_CASE("serialize_envelope matches the golden files", "[envelope]") {
    struct Case {
        const char* file;
        Envelope envelope;
    };
    for (const auto& c : {Case{"envelope_basic.golden", basic_envelope()},
                          Case{"envelope_null_sender.golden", null_sender_envelope()}}) {
        INFO(c.file);
        auto text = serialize_envelope(c.envelope);
        REQUIRE(text);
        CHECK(*text == golden(c.file));
        // And back: the golden file parses to the same envelope.
        auto parsed = parse_envelope(golden(c.file));
        REQUIRE(parsed);
        CHECK(*parsed == c.envelope);
    }
}

TEST_CASE("parse_envelope(serialize_envelope(e)) == e", "[envelope]") {
    std::vector<Envelope> cases;
    cases.push_back(basic_envelope());
    cases.push_back(null_sender_envelope());
    Envelope odd = basic_envelope();
    odd.arrival = -1;                       // before the epoch: still a number
    odd.last_error = "tab\tin last_error";  // last_error is the whole rest of its line
    odd.sender = "\"quoted local\"@example.org";
    odd.submitter_name = "";
    odd.recipients[0].address = "\"x y\"@example.org";
    cases.push_back(odd);
    Envelope unsendable = basic_envelope();
    unsendable.unsendable = "5.6.9 header field From: the address j\xC3\xB6rg@example.org ...";
    cases.push_back(unsendable);
    for (const auto& e : cases) {
        auto text = serialize_envelope(e);
        REQUIRE(text);
        auto back = parse_envelope(*text);
        REQUIRE(back);
        CHECK(*back == e);
    }
}

TEST_CASE("parse_envelope rejects damaged files", "[envelope]") {
    const std::string good = golden("envelope_basic.golden");
    const std::string tail = "end\n";
    struct Case {
        const char* label;
        std::string text;
        std::string want;  // fragment of the error message
    };
    const std::vector<Case> cases = {
        {"empty", "", "truncated"},
        {"wrong signature", edit(good, "nullrelay-queue 1", "nullrelay-queue 2"), "line 1:"},
        {"no signature", good.substr(good.find('\n') + 1), "line 1:"},
        {"no final newline", good.substr(0, good.size() - 1), "no final newline"},
        {"no end record", edit(good, tail, ""), "no end record"},
        {"data after end", good + "size 1\n", "data after the end record"},
        {"unknown record", edit(good, "size 1234\n", "size 1234\ncolour blue\n"),
         "unknown record 'colour'"},
        {"repeated record", edit(good, "size 1234\n", "size 1234\nsize 1234\n"), "repeated"},
        {"bad id", edit(good, "id 0619A2B3C4D5E001", "id 0619a2b3c4d5e001"), "bad queue id"},
        {"bad arrival", edit(good, "arrival 1717243200", "arrival 17x"), "bad arrival"},
        {"empty arrival", edit(good, "arrival 1717243200", "arrival "), "bad arrival"},
        {"negative uid", edit(good, "submitter 1000", "submitter -1"), "bad submitter"},
        {"submitter without name", edit(good, "submitter 1000 alice", "submitter 1000"),
         "bad submitter"},
        {"bad size", edit(good, "size 1234", "size 12 34"), "bad size"},
        {"size overflow", edit(good, "size 1234", "size 99999999999999999999"), "bad size"},
        {"negative attempts", edit(good, "attempts 2", "attempts -2"), "bad attempts"},
        {"bad next_attempt", edit(good, "next_attempt 1717246800", "next_attempt soon"),
         "bad next_attempt"},
        {"sender without value", edit(good, "sender alice@example.org", "sender"),
         "sender record without a value"},
        {"missing sender", edit(good, "sender alice@example.org\n", ""), "missing record 'sender'"},
        {"missing id", edit(good, "id 0619A2B3C4D5E001\n", ""), "missing record 'id'"},
        {"rcpt with 3 fields", edit(good, "\tbob\t451", "\tbob 451"), "4 tab-separated"},
        {"rcpt with 5 fields", edit(good, "\tbob\t", "\tbob\textra\t"), "4 tab-separated"},
        {"bad rcpt state", edit(good, "rcpt pending", "rcpt waiting"), "bad recipient state"},
        {"empty rcpt address", edit(good, "\tbob@example.org", "\t"), "empty recipient"},
        {"no recipients",
         edit(golden("envelope_null_sender.golden"), "rcpt pending\troot@example.org\t\t\n", ""),
         "no recipients"},
        {"CR", edit(good, "size 1234\n", "size 1234\r\n"), "CR in queue file"},
        {"NUL", edit(good, "alice\n", "ali\0ce\n"s), "NUL byte"},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        auto r = parse_envelope(c.text);
        REQUIRE_FALSE(r);
        CHECK(r.error().exit_code == EX_DATAERR);
        CHECK_THAT(r.error().message, Catch::Contains(c.want));
    }
}

TEST_CASE("parse_envelope of a file truncated at any byte is an error", "[envelope]") {
    for (const char* file : {"envelope_basic.golden", "envelope_null_sender.golden"}) {
        const std::string good = golden(file);
        REQUIRE(parse_envelope(good));
        for (size_t n = 0; n < good.size(); ++n) {
            auto r = parse_envelope(std::string_view(good).substr(0, n));
            INFO(file << " truncated to " << n << " bytes");
            REQUIRE_FALSE(r);
            CHECK(r.error().exit_code == EX_DATAERR);
        }
    }
}

TEST_CASE("serialize_envelope refuses fields that would break the format", "[envelope]") {
    struct Case {
        const char* label;
        void (*damage)(Envelope&);
    };
    const std::vector<Case> cases = {
        {"bad id", [](Envelope& e) { e.id = "../../etc/passwd"; }},
        {"lower-case id", [](Envelope& e) { e.id = "0619a2b3c4d5e001"; }},
        {"space in submitter", [](Envelope& e) { e.submitter_name = "al ice"; }},
        {"TAB in submitter", [](Envelope& e) { e.submitter_name = "al\tice"; }},
        {"LF in sender", [](Envelope& e) { e.sender = "a@b\nrcpt sent\tx@y\t\t"; }},
        {"CR in sender", [](Envelope& e) { e.sender = "a@b\r"; }},
        {"TAB in sender", [](Envelope& e) { e.sender = "a\t@b"; }},
        {"NUL in sender", [](Envelope& e) { e.sender = "a\0@b"s; }},
        {"LF in last_error", [](Envelope& e) { e.last_error = "x\nend"; }},
        {"CR in last_error", [](Envelope& e) { e.last_error = "x\r"; }},
        {"TAB in rcpt address", [](Envelope& e) { e.recipients[0].address = "a\t@b"; }},
        {"LF in rcpt address", [](Envelope& e) { e.recipients[0].address = "a@b\nend"; }},
        {"empty rcpt address", [](Envelope& e) { e.recipients[0].address = ""; }},
        {"TAB in rcpt original", [](Envelope& e) { e.recipients[1].original = "x\ty"; }},
        {"CR in rcpt reply", [](Envelope& e) { e.recipients[2].last_reply = "550\r\n"; }},
        {"TAB in rcpt reply", [](Envelope& e) { e.recipients[2].last_reply = "550\tno"; }},
        {"no recipients", [](Envelope& e) { e.recipients.clear(); }},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        Envelope e = basic_envelope();
        c.damage(e);
        auto r = serialize_envelope(e);
        CHECK_FALSE(r);
    }
    CHECK(serialize_envelope(basic_envelope()));  // the undamaged one is fine
}

TEST_CASE("has_pending and to_string(RecipientState)", "[envelope]") {
    Envelope e = basic_envelope();
    CHECK(e.has_pending());
    e.recipients[0].state = RecipientState::sent;
    CHECK_FALSE(e.has_pending());
    CHECK(to_string(RecipientState::pending) == "pending");
    CHECK(to_string(RecipientState::sent) == "sent");
    CHECK(to_string(RecipientState::bounced) == "bounced");
}

TEST_CASE("serialize_envelope_before_content: content_offset is the text's own length",
          "[envelope]") {
    // Lengths around 100, 1,000 and 10,000 bytes, where the record's own digits grow.
    for (size_t pad : {0, 30, 60, 900, 940, 9900, 9940}) {
        for (size_t k = 0; k < 12; ++k) {
            Envelope e = basic_envelope();
            e.last_error = std::string(pad + k, 'e');
            auto text = serialize_envelope_before_content(e);
            REQUIRE(text);
            INFO(text->size());
            CHECK(text->size() == e.content_offset);
            auto back = parse_envelope(*text);
            REQUIRE(back);
            CHECK(*back == e);
            CHECK(envelope_length(*text + "Subject: x\r\n\r\nend\n") == text->size());
        }
    }
}

TEST_CASE("envelope_length finds the first end line", "[envelope]") {
    CHECK(envelope_length("nullrelay-queue 1\nend\nrest") == 22u);
    CHECK(envelope_length("end\n") == 4u);
    CHECK_FALSE(envelope_length("nullrelay-queue 1\nxend\n"));
    CHECK_FALSE(envelope_length("nullrelay-queue 1\nend"));
    CHECK_FALSE(envelope_length("nullrelay-queue 1\nend\r\n"));
    // Searched a piece at a time: an "end" line split between two reads is found, and
    // "xend" (not a line of its own) is not, whichever piece its parts came in.
    const std::string text = "nullrelay-queue 1\nxend\nid 1\nend\ncontent";
    for (size_t searched = 0; searched <= 31; ++searched) {
        INFO(searched);
        CHECK(envelope_length(text, searched) == 32u);
    }
}
