// Tests for bounce.hpp: the RFC 3464 report byte for byte against golden files (headers
// returned, and the whole message for -R full), the header-section and whole-message readers,
// and queue_bounce's envelope and returned content on a private spool.
#include "nullrelayd/bounce.hpp"

#include <catch2/catch.hpp>

#include "golden.hpp"
#include "queue_fixture.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

using namespace nullrelay;

namespace {

BounceReport report() {
    BounceReport r;
    r.hostname = "relay.example.org";
    r.queue_id = "660CFE0332AE458D";
    r.sender = "alice@example.org";
    r.arrival = 1763759796;
    r.last_attempt = 1763760096;
    r.recipients = {
        {"nobody@example.org", "nobody", "5.1.1", "550 5.1.1 <nobody@example.org>: No such user"},
        {"slow@example.net", "slow@example.net", "4.4.7", "450 4.2.1 Mailbox busy"},
        {"gone@example.net", "", "4.4.7", "relay.example.net:587: Couldn't connect to server"}};
    r.original_headers = "From: alice@example.org\r\nSubject: the report\r\n";
    return r;
}

// A file with the given content, removed at the end of the test.
struct TempFile {
    std::string path;
    int fd = -1;
    explicit TempFile(const std::string& content) {
        char tmpl[] = "/tmp/nullrelay-bounce-XXXXXX";
        fd = ::mkstemp(tmpl);
        REQUIRE(fd >= 0);
        path = tmpl;
        REQUIRE(::write(fd, content.data(), content.size()) ==
                static_cast<ssize_t>(content.size()));
    }
    ~TempFile() {
        ::close(fd);
        ::unlink(path.c_str());
    }
};

// A private spool holding the content of alice's message 660CFE0332AE458F to x@example.net,
// the configuration queue_bounce reads, and the bounce it queues for that message.
struct BounceFixture {
    test::TempSpool t;
    std::optional<Spool> spool;
    Config config;
    Envelope original;

    explicit BounceFixture(const std::string& content) {
        auto s = Spool::open(t.root);
        REQUIRE(s);
        spool.emplace(std::move(*s));
        original.id = "660CFE0332AE458F";
        original.arrival = 1763759796;
        original.submitter_name = "alice";
        original.sender = "alice@example.org";
        original.recipients = {{"x@example.net", "x@example.net", RecipientState::pending, ""}};
        t.write("data/" + original.id, content);
        config.hostname = "relay.example.org";
        config.sender_domain = "example.org";
    }

    // Queues the bounce of `failed` and returns its envelope and its content as queued.
    std::pair<Envelope, std::string> bounce(const std::vector<FailedRecipient>& failed) {
        AddressRewriter rewriter(config);
        auto id = queue_bounce(*spool, config, rewriter, original, failed, 1763760096);
        REQUIRE(id);
        auto env = spool->load(Place::queue, *id);
        REQUIRE(env);
        auto content = spool->open_content(*env);
        REQUIRE(content);
        std::string text(env->size, '\0');
        REQUIRE(::pread(content->fd.get(), text.data(), text.size(),
                        static_cast<off_t>(content->offset)) == static_cast<ssize_t>(text.size()));
        return {*env, text};
    }
};

}  // namespace

TEST_CASE("format_bounce writes the golden RFC 3464 report", "[bounce]") {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    std::string got = format_bounce(report(), 1763760100, "660CFE1234567ABC");
    CHECK(got == golden("bounce_report.golden"));
}

TEST_CASE("format_bounce returns the whole message for -R full (golden)", "[bounce]") {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    BounceReport r = report();
    r.original_message = r.original_headers + "\r\nThe body of the report.\r\n";
    std::string got = format_bounce(r, 1763760100, "660CFE1234567ABC");
    CHECK(got == golden("bounce_report_full.golden"));
}

TEST_CASE("format_bounce: -R full over bounce_size_limit returns headers and says why",
          "[bounce]") {
    BounceReport r = report();
    r.full_return_limit = 50000;
    std::string got = format_bounce(r, 0, "U");
    CHECK_THAT(got, Catch::Contains("larger than the 50000 bytes\r\nthis relay returns"));
    CHECK_THAT(got, Catch::Contains("Content-Type: text/rfc822-headers\r\n"));
    CHECK_THAT(got, !Catch::Contains("message/rfc822"));
}

TEST_CASE("format_bounce keeps the report well-formed", "[bounce]") {
    SECTION("only CRLF line ends, no line over 998 bytes") {
        BounceReport r = report();
        r.recipients[0].diagnostic = "550 " + std::string(5000, 'x');
        std::string got = format_bounce(r, 0, "U");
        size_t start = 0;
        for (size_t lf = got.find('\n'); lf != std::string::npos; lf = got.find('\n', start)) {
            CHECK(lf > 0);
            CHECK(got[lf - 1] == '\r');
            CHECK(lf - start <= 998);
            start = lf + 1;
        }
    }
    SECTION("8-bit bytes from the server become '?' in the report fields") {
        BounceReport r = report();
        r.recipients[0].diagnostic = "550 bad \xff\x01 user";
        std::string got = format_bounce(r, 0, "U");
        CHECK_THAT(got, Catch::Contains("Diagnostic-Code: smtp; 550 bad ?? user\r\n"));
        CHECK_THAT(got, !Catch::Contains("Content-Transfer-Encoding"));
    }
    SECTION("8-bit original headers are returned as they are, declared 8bit") {
        BounceReport r = report();
        r.original_headers = "Subject: caf\xc3\xa9\r\n";
        std::string got = format_bounce(r, 0, "U");
        CHECK_THAT(got, Catch::Contains("\r\nSubject: caf\xc3\xa9\r\n"));
        CHECK_THAT(got, Catch::Contains("Content-Transfer-Encoding: 8bit\r\n"));
    }
    SECTION("an 8-bit body returned in full is declared 8bit, byte for byte") {
        BounceReport r = report();
        r.original_message = "Subject: s\r\n\r\ncaf\xc3\xa9\r\n";
        std::string got = format_bounce(r, 0, "U");
        CHECK_THAT(got, Catch::Contains("Content-Type: message/rfc822\r\n"
                                        "Content-Transfer-Encoding: 8bit\r\n\r\n"
                                        "Subject: s\r\n\r\ncaf\xc3\xa9\r\n"));
    }
    SECTION("a boundary that occurs in the body returned in full is changed") {
        BounceReport r = report();
        r.original_message = "Subject: s\r\n\r\n--U/relay.example.org--\r\n";
        std::string got = format_bounce(r, 0, "U");
        CHECK_THAT(got, Catch::Contains("boundary=\"U/relay.example.org.x\""));
    }
    SECTION("a boundary that occurs in the original headers is changed") {
        BounceReport r = report();
        r.original_headers = "X-Trap: --U/relay.example.org\r\n";
        std::string got = format_bounce(r, 0, "U");
        CHECK_THAT(got, Catch::Contains("boundary=\"U/relay.example.org.x\""));
        CHECK_THAT(got, Catch::Contains("\r\n--U/relay.example.org.x--\r\n"));
    }
    SECTION("an internationalised address is typed utf-8 (RFC 6533)") {
        BounceReport r = report();
        r.recipients = {{"j\xc3\xb6rg@example.org", "", "5.1.1", "550 no"}};
        std::string got = format_bounce(r, 0, "U");
        CHECK_THAT(got, Catch::Contains("Final-Recipient: utf-8; j\xc3\xb6rg@example.org\r\n"));
    }
}

TEST_CASE("read_header_section", "[bounce]") {
    struct Case {
        const char* label;
        std::string content;
        size_t limit;
        std::string want;
    };
    const Case cases[] = {
        {"headers then body", "A: 1\r\nB: 2\r\n\r\nbody\r\n", 1000, "A: 1\r\nB: 2\r\n"},
        {"no body", "A: 1\r\nB: 2\r\n", 1000, "A: 1\r\nB: 2\r\n"},
        {"no header section", "\r\nbody only\r\n", 1000, ""},
        {"cut at a line end at the limit", "A: 1\r\nB: 22222\r\n\r\n", 12, "A: 1\r\n"},
        {"empty", "", 1000, ""},
    };
    // Also after an envelope, as in a message pickup queued as one file.
    const std::string envelope = "nullrelay-queue 1\nid X\nend\n";
    for (const auto& c : cases) {
        INFO(c.label);
        TempFile f(c.content);
        CHECK(read_header_section(f.fd, 0, c.limit) == c.want);
        TempFile after(envelope + c.content);
        CHECK(read_header_section(after.fd, envelope.size(), c.limit) == c.want);
    }
}

TEST_CASE("read_whole_message", "[bounce]") {
    struct Case {
        const char* label;
        std::string content;
        std::uint64_t limit;
        std::optional<std::string> want;
    };
    const std::string big(200000, 'x');  // more than one read
    const Case cases[] = {
        {"under the limit", "A: 1\r\n\r\nbody\r\n", 1000, "A: 1\r\n\r\nbody\r\n"},
        {"exactly the limit", "12345", 5, "12345"},
        {"one byte over", "123456", 5, std::nullopt},
        {"big, within", big, big.size(), big},
        {"big, over", big, big.size() - 1, std::nullopt},
        {"empty", "", 0, ""},
    };
    const std::string envelope = "nullrelay-queue 1\nid X\nend\n";
    for (const auto& c : cases) {
        INFO(c.label);
        TempFile f(c.content);
        CHECK(read_whole_message(f.fd, 0, c.limit) == c.want);
        TempFile after(envelope + c.content);
        CHECK(read_whole_message(after.fd, envelope.size(), c.limit) == c.want);
    }
}

TEST_CASE("queue_bounce queues a report from <> to the rewritten sender", "[bounce]") {
    BounceFixture f("Subject: hi\r\n\r\nsecret body\r\n");
    f.original.recipients = {{"nobody@example.org", "nobody", RecipientState::pending, ""}};
    REQUIRE(f.spool->store(Place::queue, f.original));
    auto [env, text] =
        f.bounce({{"nobody@example.org", "nobody", "5.1.1", "550 5.1.1 No such user"}});
    CHECK(env.id != f.original.id);
    CHECK(env.sender.empty());
    REQUIRE(env.recipients.size() == 1);
    CHECK(env.recipients[0].address == "alice@example.org");
    CHECK(env.recipients[0].original == "alice@example.org");
    CHECK(env.recipients[0].state == RecipientState::pending);
    CHECK_THAT(text, Catch::Contains("\r\nSubject: hi\r\n"));
    CHECK_THAT(text, Catch::Contains("Final-Recipient: rfc822; nobody@example.org\r\n"));
    CHECK_THAT(text, !Catch::Contains("secret body"));
}

TEST_CASE("queue_bounce: 8-bit returned headers go 7-bit on the wire", "[bounce]") {
    // What pickup leaves when the header cannot be encoded: the 8-bit address as it came.
    BounceFixture f("From: j\xC3\xB6rg@example.org\r\nSubject: s\r\n\r\nb\r\n");
    auto [env, text] = f.bounce({{"x@example.net", "", "5.6.9", "header field From: ..."}});
    for (unsigned char c : text)
        REQUIRE(c < 0x80);
    CHECK_THAT(text, Catch::Contains("From: j=C3=B6rg@example.org"));  // quoted-printable
    CHECK_THAT(text, !Catch::Contains("8bit"));
}

TEST_CASE("queue_bounce: a bounce for root goes where the maps send root", "[bounce]") {
    BounceFixture f("Subject: s\r\n\r\nb\r\n");
    f.original.submitter_name = "root";
    f.original.sender = "root@example.org";        // qualified at pickup
    f.original.sender_original = "root";           // as cron submitted it
    f.config.admin_address = "admin@example.net";  // where unmatched local names go
    auto [env, text] = f.bounce({{"x@example.net", "x@example.net", "5.1.1", "550 5.1.1 no"}});
    REQUIRE(env.recipients.size() == 1);
    CHECK(env.recipients[0].address == "admin@example.net");
    CHECK(env.recipients[0].original == "root@example.org");
}

TEST_CASE("queue_bounce returns what -R asked for, within bounce_size_limit", "[bounce]") {
    struct Case {
        const char* label;
        std::string ret;
        std::uint64_t limit;
        bool body_returned;
    };
    const std::string content = "Subject: hi\r\n\r\nsecret body\r\n";  // 28 bytes
    const Case cases[] = {
        {"-R full, within the limit", "full", 50000, true},
        {"-R full, exactly the limit", "full", content.size(), true},
        {"-R full, over the limit", "full", content.size() - 1, false},
        {"-R hdrs", "hdrs", 50000, false},
        {"no -R", "", 50000, false},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        BounceFixture f(content);
        f.original.dsn.ret = c.ret;
        f.config.bounce_size_limit = c.limit;
        auto [env, text] = f.bounce({{"x@example.net", "x@example.net", "5.1.1", "550 5.1.1 no"}});
        CHECK_THAT(text, Catch::Contains("\r\nSubject: hi\r\n"));
        if (c.body_returned) {
            CHECK_THAT(text, Catch::Contains("Content-Type: message/rfc822\r\n\r\n" + content));
        } else {
            CHECK_THAT(text, Catch::Contains("Content-Type: text/rfc822-headers\r\n"));
            CHECK_THAT(text, !Catch::Contains("secret body"));
        }
        // The note appears exactly when the whole message was asked for and did not fit.
        CHECK((text.find("too large") != std::string::npos ||
               text.find("larger than the") != std::string::npos) ==
              (c.ret == "full" && !c.body_returned));
    }
}
