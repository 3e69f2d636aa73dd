// Tests for header_block.hpp: splitting a CRLF message into header fields and body, byte for
// byte, and the case-insensitive field operations the cleanup step uses.
#include "mail/header_block.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace nullrelay;

namespace {

std::vector<std::string> names(const HeaderBlock& h) {
    std::vector<std::string> out;
    for (const auto& f : h.fields())
        out.push_back(f.name);
    return out;
}

}  // namespace

TEST_CASE("HeaderBlock::parse splits fields and body", "[header_block]") {
    struct Case {
        const char* label;
        std::string message;
        std::vector<std::string> names;
        std::string body;  // what follows body_offset
        bool separator;
    };
    const std::vector<Case> cases = {
        {"plain", "From: a@b\r\nTo: c@d\r\n\r\nHello\r\n", {"From", "To"}, "Hello\r\n", true},
        {"folded",
         "Subject: a long\r\n  subject\r\n\tline\r\nTo: c@d\r\n\r\nbody\r\n",
         {"Subject", "To"},
         "body\r\n",
         true},
        {"no separator",
         "Subject: x\r\nThis is the body\r\nmore\r\n",
         {"Subject"},
         "This is the body\r\nmore\r\n",
         false},
        {"body line with colon after space",
         "Subject: x\r\nNote : y\r\n",
         {"Subject"},
         "Note : y\r\n",
         false},
        {"empty message", "", {}, "", false},
        {"only the separator", "\r\nbody\r\n", {}, "body\r\n", true},
        {"headers only", "Subject: x\r\n", {"Subject"}, "", false},
        {"no final CRLF", "Subject: x", {"Subject"}, "", false},
        {"continuation first", " folded\r\nSubject: x\r\n", {}, " folded\r\nSubject: x\r\n", false},
        {"empty body", "Subject: x\r\n\r\n", {"Subject"}, "", true},
        {"bare LF is not a line end", "Subject: x\nTo: y\r\n\r\n", {"Subject"}, "", true},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        size_t offset = 12345;
        HeaderBlock h = HeaderBlock::parse(c.message, &offset);
        CHECK(names(h) == c.names);
        REQUIRE(offset <= c.message.size());
        CHECK(c.message.substr(offset) == c.body);
        CHECK(h.had_separator() == c.separator);
        // serialize() gives back exactly the bytes before the body.
        CHECK(h.serialize(h.had_separator()) + c.message.substr(offset) == c.message);
    }
}

TEST_CASE("HeaderField::value unfolds and trims", "[header_block]") {
    HeaderBlock h = HeaderBlock::parse(
        "Subject:   a long\r\n  subject\r\n\tline  \r\nX-Empty:\r\nX-Tight:v\r\n\r\n", nullptr);
    REQUIRE(h.fields().size() == 3);
    CHECK(h.fields()[0].raw == "Subject:   a long\r\n  subject\r\n\tline  \r\n");
    CHECK(h.fields()[0].value() == "a long  subject\tline");
    CHECK(h.fields()[1].value() == "");
    CHECK(h.fields()[2].value() == "v");
}

TEST_CASE("HeaderBlock::complete", "[header_block]") {
    struct Case {
        const char* text;
        bool want;
    };
    for (Case c : {Case{"", false},
                   {"Subject: x", false},
                   {"Subject: x\r\n", false},
                   {"Subject: x\r\n folded", false},
                   {"Subject: x\r\n folded\r\n", false},
                   {"Subject: x\r\n\r", false},
                   {"Subject: x\r\n\r\n", true},
                   {"\r\n", true},
                   {"Subject: x\r\nbody line\r\n", true},
                   {"Subject: x\r\nbody", false}}) {
        INFO(c.text);
        CHECK(HeaderBlock::complete(c.text) == c.want);
    }
}

TEST_CASE("a complete prefix parses like the whole message", "[header_block]") {
    for (std::string message : {"From: a@b\r\nSubject: s\r\n t\r\n\r\nbody\r\n.\r\n",
                                "Subject: x\r\nbody line\r\nmore\r\n"}) {
        size_t full_offset = 0;
        HeaderBlock full = HeaderBlock::parse(message, &full_offset);
        int complete_prefixes = 0;
        for (size_t n = 0; n <= message.size(); ++n) {
            std::string prefix = message.substr(0, n);
            if (!HeaderBlock::complete(prefix)) continue;
            ++complete_prefixes;
            size_t offset = 0;
            HeaderBlock h = HeaderBlock::parse(prefix, &offset);
            INFO(message << " prefix " << n);
            CHECK(h.serialize(h.had_separator()) == full.serialize(full.had_separator()));
            CHECK(offset == full_offset);
        }
        CHECK(complete_prefixes > 0);
    }
}

TEST_CASE("HeaderBlock field operations are case-insensitive", "[header_block]") {
    HeaderBlock h = HeaderBlock::parse(
        "From: a@b\r\nTO: c@d\r\nto: e@f\r\nResent-From: g@h\r\nBCC: secret@x\r\n\r\n", nullptr);
    CHECK(h.has("to"));
    CHECK(h.has("Bcc"));
    CHECK_FALSE(h.has("Cc"));
    CHECK(h.values("To") == std::vector<std::string>{"c@d", "e@f"});
    CHECK(h.first_value("to") == "c@d");
    CHECK_FALSE(h.first_value("Date").has_value());
    CHECK(h.has_prefix("resent-"));
    CHECK_FALSE(h.has_prefix("X-"));

    h.remove("bcc");
    h.remove("To");
    CHECK(names(h) == std::vector<std::string>{"From", "Resent-From"});
    h.add("Date", "Sat, 01 Jun 2024 12:00:00 +0000");
    h.replace_value(0, "Someone <a@b>");
    CHECK(h.serialize(true) ==
          "From: Someone <a@b>\r\nResent-From: g@h\r\nDate: Sat, 01 Jun 2024 12:00:00 "
          "+0000\r\n\r\n");
    CHECK(h.serialize(false) ==
          "From: Someone <a@b>\r\nResent-From: g@h\r\nDate: Sat, 01 Jun 2024 12:00:00 +0000\r\n");
    CHECK(h.first_value("DATE") == "Sat, 01 Jun 2024 12:00:00 +0000");
    CHECK_THROWS(h.replace_value(3, "out of range"));
}
