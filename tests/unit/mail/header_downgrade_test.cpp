// Tests for header_downgrade.hpp: which fields are RFC 2047 / RFC 2231 encoded and how,
// which are folded, and which cannot be sent without SMTPUTF8 (an address, a Message-ID).
#include "mail/header_downgrade.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mime_test_codecs.hpp"

using namespace nullrelay;
using nullrelay::testing::decode_words;
using Outcome = FieldDowngrade::Outcome;

namespace {

HeaderField field(const std::string& raw) {
    return {raw.substr(0, raw.find(':')), raw};
}

void check_sendable(const std::string& raw) {
    for (unsigned char c : raw)
        REQUIRE(c < 0x80);
    size_t pos = 0;
    while (pos < raw.size()) {
        size_t eol = raw.find("\r\n", pos);
        REQUIRE(eol != std::string::npos);
        REQUIRE(eol - pos <= 998);
        pos = eol + 2;
    }
}

// The value with folding undone and encoded-words decoded (for unstructured text).
std::string decoded_value(const std::string& raw) {
    std::string v = raw.substr(raw.find(':') + 1);
    while (v.ends_with("\r\n"))
        v.resize(v.size() - 2);
    std::string s = decode_words(v);
    return s.starts_with(" ") ? s.substr(1) : s;
}

}  // namespace

TEST_CASE("header downgrade: 7-bit short fields are left alone", "[header_downgrade]") {
    for (const char* raw : {"Subject: hello\r\n", "From: Root <root@example.org>\r\n",
                            "Received: from a\r\n\tby b; Mon, 1 Jan 2024 00:00:00 +0000\r\n"}) {
        CHECK(downgrade_header_field(field(raw)).outcome == Outcome::unchanged);
    }
}

TEST_CASE("header downgrade: unstructured text", "[header_downgrade]") {
    SECTION("8-bit words become encoded-words, ASCII words stay") {
        auto d = downgrade_header_field(field("Subject: Caf\xC3\xA9 au lait\r\n"));
        REQUIRE(d.outcome == Outcome::rewritten);
        CHECK(d.raw == "Subject: =?utf-8?Q?Caf=C3=A9?= au lait\r\n");
        CHECK(decoded_value(d.raw) == "Caf\xC3\xA9 au lait");
    }
    SECTION("neighbouring 8-bit words share their encoded-words and the blank between") {
        auto d = downgrade_header_field(field("Subject: Jos\xC3\xA9  Ram\xC3\xB3n\r\n"));
        REQUIRE(d.outcome == Outcome::rewritten);
        CHECK(decoded_value(d.raw) == "Jos\xC3\xA9  Ram\xC3\xB3n");
    }
    SECTION("the blank next to an existing encoded-word is kept inside ours") {
        auto d = downgrade_header_field(field("Subject: =?utf-8?q?x?= \xC3\xBC\r\n"));
        REQUIRE(d.outcome == Outcome::rewritten);
        CHECK(decoded_value(d.raw) == "x \xC3\xBC");
    }
    SECTION("invalid UTF-8 is labelled unknown-8bit") {
        auto d = downgrade_header_field(field("X-Note: caf\xE9\r\n"));
        REQUIRE(d.outcome == Outcome::rewritten);
        CHECK(d.raw == "X-Note: =?unknown-8bit?Q?caf=E9?=\r\n");
    }
    SECTION("long 8-bit text is folded into lines of 76 at most (RFC 2047 §2)") {
        std::string text;
        for (int i = 0; i < 40; ++i)
            text += "\xC3\xA9l\xC3\xA8ve ";
        text.pop_back();
        auto d = downgrade_header_field(field("Subject: " + text + "\r\n"));
        REQUIRE(d.outcome == Outcome::rewritten);
        check_sendable(d.raw);
        size_t pos = 0;
        while (pos < d.raw.size()) {
            size_t eol = d.raw.find("\r\n", pos);
            CHECK(eol - pos <= 76);
            pos = eol + 2;
        }
        CHECK(decoded_value(d.raw) == text);
    }
    SECTION("a 7-bit line over 998 octets is folded at white space") {
        std::string words;
        for (int i = 0; i < 300; ++i)
            words += " word" + std::to_string(i);
        auto d = downgrade_header_field(field("X-Long:" + words + "\r\n"));
        REQUIRE(d.outcome == Outcome::rewritten);
        check_sendable(d.raw);
        std::string unfolded = d.raw;
        std::erase(unfolded, '\r');
        std::erase(unfolded, '\n');
        CHECK(unfolded == "X-Long:" + words);
    }
    SECTION("a 7-bit word of 2000 octets without white space is encoded") {
        std::string word(2000, 'z');
        auto d = downgrade_header_field(field("Subject: " + word + "\r\n"));
        REQUIRE(d.outcome == Outcome::rewritten);
        check_sendable(d.raw);
        CHECK(decoded_value(d.raw) == word);
    }
}

TEST_CASE("header downgrade: addresses", "[header_downgrade]") {
    SECTION("an 8-bit display name is encoded, the address stays") {
        auto d = downgrade_header_field(field("From: Jos\xC3\xA9 <jose@example.org>\r\n"));
        REQUIRE(d.outcome == Outcome::rewritten);
        CHECK(d.raw == "From: =?utf-8?Q?Jos=C3=A9?= <jose@example.org>\r\n");
    }
    SECTION("a quoted display name is unquoted before it is encoded") {
        auto d = downgrade_header_field(
            field("To: \"M\xC3\xBCller, Hans\" <h@example.org>, plain@example.org\r\n"));
        REQUIRE(d.outcome == Outcome::rewritten);
        CHECK(d.raw ==
              "To: =?utf-8?Q?M=C3=BCller=2C_Hans?= <h@example.org>, plain@example.org\r\n");
    }
    SECTION("a comment is encoded") {
        auto d = downgrade_header_field(field("From: root@example.org (Syst\xC3\xA8me)\r\n"));
        REQUIRE(d.outcome == Outcome::rewritten);
        CHECK(d.raw == "From: root@example.org (=?utf-8?Q?Syst=C3=A8me?=)\r\n");
    }
    SECTION("a group name is encoded, its members kept") {
        auto d =
            downgrade_header_field(field("To: \xC3\x89quipe: a@example.org, b@example.org;\r\n"));
        REQUIRE(d.outcome == Outcome::rewritten);
        CHECK(d.raw == "To: =?utf-8?Q?=C3=89quipe?=: a@example.org, b@example.org;\r\n");
    }
    SECTION("an 8-bit address cannot be sent") {
        for (const char* raw : {"From: j\xC3\xB6rg@example.org\r\n",
                                "To: J\xC3\xB6rg <j\xC3\xB6rg@b\xC3\xBC"
                                "cher.example>\r\n",
                                "Cc: a@example.org, <x@\xC3\xA9.example>\r\n"}) {
            auto d = downgrade_header_field(field(raw));
            INFO(raw);
            CHECK(d.outcome == Outcome::impossible);
            CHECK(d.status == "5.6.9");
            CHECK(d.problem.find("SMTPUTF8") != std::string::npos);
        }
    }
}

TEST_CASE("header downgrade: parameters and structured fields", "[header_downgrade]") {
    SECTION("an 8-bit filename becomes an RFC 2231 value") {
        auto d = downgrade_header_field(
            field("Content-Disposition: attachment; filename=\"R\xC3\xA9sum\xC3\xA9.pdf\"\r\n"));
        REQUIRE(d.outcome == Outcome::rewritten);
        CHECK(d.raw ==
              "Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9.pdf\r\n");
    }
    SECTION("a long 8-bit parameter is continued over several parameters") {
        std::string name;
        for (int i = 0; i < 30; ++i)
            name += "\xC3\xA9";
        auto d = downgrade_header_field(
            field("Content-Type: application/pdf; name=\"" + name + ".pdf\"\r\n"));
        REQUIRE(d.outcome == Outcome::rewritten);
        check_sendable(d.raw);
        CHECK(d.raw.find("name*0*=utf-8''%C3%A9") != std::string::npos);
        CHECK(d.raw.find("name*1*=") != std::string::npos);
    }
    SECTION("8-bit in a Message-ID, a date or a media type cannot be sent") {
        for (const char* raw : {"Message-ID: <\xC3\xA9@example.org>\r\n",
                                "Date: Mon, 1 Jan 2024 00:00:00 \xC3\xA9\r\n",
                                "Content-Type: t\xC3\xA9xt/plain\r\n"}) {
            auto d = downgrade_header_field(field(raw));
            INFO(raw);
            CHECK(d.outcome == Outcome::impossible);
            CHECK(d.status == "5.6.9");
        }
    }
    SECTION("a structured line over 998 octets without white space cannot be sent") {
        auto d = downgrade_header_field(
            field("Message-ID: <" + std::string(1200, 'a') + "@example.org>\r\n"));
        CHECK(d.outcome == Outcome::impossible);
        CHECK(d.status == "5.6.3");
    }
    SECTION("a long References line is folded between its ids") {
        std::string ids;
        for (int i = 0; i < 60; ++i)
            ids += " <id" + std::to_string(i) + "@example.org>";
        auto d = downgrade_header_field(field("References:" + ids + "\r\n"));
        REQUIRE(d.outcome == Outcome::rewritten);
        check_sendable(d.raw);
    }
}
