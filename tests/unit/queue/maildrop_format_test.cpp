// Tests for maildrop_format.hpp: the header nullrelay-sendmail writes and the daemon parses as
// hostile input. Formatted headers are compared byte for byte with golden files.
#include "queue/maildrop_format.hpp"

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

const std::string kBody = "Subject: hi\r\n\r\ncontent\r\nsender evil@x\r\n";

}  // namespace

TEST_CASE("format_maildrop_header matches the golden files and parses back", "[maildrop_format]") {
    struct Case {
        const char* file;
        MaildropEnvelope envelope;
    };
    const std::vector<Case> cases = {
        {"maildrop_basic.golden",
         {"alice@example.org", "Alice Example", {"bob@example.org", "carol"}, {}, false}},
        {"maildrop_null_sender.golden", {"", "", {"root"}, {}, false}},
    };
    for (const auto& c : cases) {
        INFO(c.file);
        auto header = format_maildrop_header(c.envelope);
        REQUIRE(header);
        CHECK(*header == golden(c.file));

        // The message bytes follow the header and are never read as records.
        std::string file = *header + kBody;
        size_t offset = 0;
        auto parsed = parse_maildrop_header(file, &offset);
        REQUIRE(parsed);
        CHECK(*parsed == c.envelope);
        CHECK(file.substr(offset) == kBody);
    }
}

TEST_CASE("maildrop header without sender or full name", "[maildrop_format]") {
    MaildropEnvelope e{std::nullopt, "", {"a@x", "b@y"}, {}, false};
    auto header = format_maildrop_header(e);
    REQUIRE(header);
    CHECK(*header == "nullrelay-maildrop 1\nrcpt a@x\nrcpt b@y\ncontent\n");
    size_t offset = 0;
    auto parsed = parse_maildrop_header(*header, &offset);
    REQUIRE(parsed);
    CHECK_FALSE(parsed->sender.has_value());  // "the submitter", not the null sender
    CHECK(*parsed == e);
    CHECK(offset == header->size());
}

TEST_CASE("parse_maildrop_header rejects bad files", "[maildrop_format]") {
    const std::string sig = "nullrelay-maildrop 1\n";
    struct Case {
        const char* label;
        std::string data;
        std::string want;
    };
    const std::vector<Case> cases = {
        {"empty", "", "incomplete"},
        {"bad signature", "nullrelay-maildrop 2\nrcpt a@b\ncontent\n", "line 1: not a maildrop"},
        {"queue file signature", "nullrelay-queue 1\nrcpt a@b\ncontent\n", "not a maildrop"},
        {"unknown record", sig + "rcpt a@b\nbcc c@d\ncontent\n", "line 3: unknown record 'bcc'"},
        {"CR in a record", sig + "rcpt a@b\r\ncontent\n", "line 2: control character"},
        {"TAB in a record", sig + "fullname A\tB\nrcpt a@b\ncontent\n", "control character"},
        {"NUL in a record", sig + "rcpt a\0@b\ncontent\n"s, "control character"},
        {"no recipients", sig + "sender a@b\ncontent\n", "without recipients"},
        {"no content line", sig + "rcpt a@b\n", "incomplete"},
        {"content line without LF", sig + "rcpt a@b\ncontent", "incomplete"},
        {"invalid recipient", sig + "rcpt a b@c\ncontent\n", "bad recipient address"},
        {"recipient with angle", sig + "rcpt <a@b>\ncontent\n", "bad recipient address"},
        {"empty recipient", sig + "rcpt \ncontent\n", "bad recipient address"},
        {"invalid sender", sig + "sender a@b@c\nrcpt a@b\ncontent\n", "bad sender address"},
        {"repeated sender", sig + "sender a@b\nsender c@d\nrcpt a@b\ncontent\n", "repeated"},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        size_t offset = 0;
        auto r = parse_maildrop_header(c.data, &offset);
        REQUIRE_FALSE(r);
        CHECK(r.error().exit_code == EX_DATAERR);
        CHECK_THAT(r.error().message, Catch::Contains(c.want));
    }
}

TEST_CASE("parse_maildrop_header caps the recipient count", "[maildrop_format]") {
    std::string data = "nullrelay-maildrop 1\n";
    for (size_t i = 0; i <= kMaxRecipients; ++i)
        data += "rcpt u" + std::to_string(i) + "@example.org\n";
    data += "content\n";
    size_t offset = 0;
    auto r = parse_maildrop_header(data, &offset);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("too many recipients"));
}

TEST_CASE("format_maildrop_header refuses what would break the format", "[maildrop_format]") {
    struct Case {
        const char* label;
        MaildropEnvelope envelope;
    };
    const std::vector<Case> cases = {
        {"SMTP injection in a recipient", {std::nullopt, "", {"a@b\r\nRCPT TO:<x@y>"}}},
        {"LF in a recipient", {std::nullopt, "", {"a@b\ncontent"}, {}, false}},
        {"LF in the sender", {"a@b\nrcpt evil@x", "", {"a@b"}, {}, false}},
        {"bad sender", {"a b@c", "", {"a@b"}, {}, false}},
        {"LF in the full name", {std::nullopt, "Eve\nrcpt evil@x", {"a@b"}, {}, false}},
        {"CR in the full name", {std::nullopt, "Eve\r", {"a@b"}, {}, false}},
        {"empty recipient", {std::nullopt, "", {""}, {}, false}},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        auto r = format_maildrop_header(c.envelope);
        REQUIRE_FALSE(r);
        CHECK(r.error().exit_code == EX_DATAERR);
    }
}

// Bug (address.cpp, envelope_address_problem): a backslash inside quotes hides the next byte
// from the control-character check, so a recipient can carry a raw LF into the maildrop file
// and forge a second record line.
TEST_CASE("format_maildrop_header refuses a quoted-pair line break", "[maildrop_format]") {
    MaildropEnvelope e{std::nullopt, "", {"\"a\\\nrcpt evil@example.org\"@b"}};
    auto r = format_maildrop_header(e);
    CHECK_FALSE(r);
}

// Issue 15, item 1: the writer applies every limit the reader applies, so that sendmail refuses
// what pickup would refuse instead of saying "queued".
TEST_CASE("format_maildrop_header refuses what parse_maildrop_header would refuse",
          "[maildrop_format]") {
    MaildropEnvelope many;
    for (size_t i = 0; i <= kMaxRecipients; ++i)
        many.recipients.push_back("u" + std::to_string(i) + "@example.org");
    auto r = format_maildrop_header(many);
    REQUIRE_FALSE(r);
    CHECK(r.error().exit_code == EX_DATAERR);
    CHECK_THAT(r.error().message, Catch::Contains("too many recipients"));
    many.recipients.pop_back();
    CHECK(format_maildrop_header(many));  // exactly the limit

    MaildropEnvelope long_ones;
    for (int i = 0; i < 4000; ++i)  // 4,000 x 300 bytes: under the count, over the size
        long_ones.recipients.push_back(std::string(290, 'a') + std::to_string(i) + "@example.org");
    auto big = format_maildrop_header(long_ones);
    REQUIRE_FALSE(big);
    CHECK(big.error().exit_code == EX_DATAERR);
    CHECK_THAT(big.error().message, Catch::Contains("envelope"));
}
