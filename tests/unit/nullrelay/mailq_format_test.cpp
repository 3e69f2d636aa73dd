// Tests for queue_listing.hpp: mailq output in Postfix's format, compared byte for byte with
// golden files. The arrival time is shown in local time, so the tests run with TZ=UTC.
#include "nullrelay/mailq_format.hpp"

#include <catch2/catch.hpp>

#include "golden.hpp"

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace nullrelay;

namespace {

void use_utc() {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
}

const std::int64_t kJun1 = 1717243200;   // Sat Jun  1 12:00:00 2024 UTC
const std::int64_t kJun2 = 1717333445;   // Sun Jun  2 13:04:05 2024 UTC
const std::int64_t kDec30 = 1735603199;  // Mon Dec 30 23:59:59 2024 UTC

const std::string kLongError =
    "mx.example.org[192.0.2.1]:587: Failed to connect to mx.example.org port 587 after 30001 "
    "ms: Timeout was reached";
const std::string kBounce = "550 5.1.1 <dave@example.org>: Recipient address rejected";

Envelope envelope(std::string id, std::int64_t arrival, std::uint64_t size, std::string sender,
                  std::vector<Recipient> recipients, std::string last_error = "") {
    Envelope e;
    e.id = std::move(id);
    e.arrival = arrival;
    e.size = size;
    e.sender = std::move(sender);
    e.recipients = std::move(recipients);
    e.last_error = std::move(last_error);
    return e;
}

Recipient pending(std::string address, std::string reply = "") {
    return {std::move(address), "", RecipientState::pending, std::move(reply)};
}

}  // namespace

TEST_CASE("format_mailq matches the golden files", "[mailq_format]") {
    use_utc();
    struct Case {
        const char* file;
        std::vector<ListedMessage> messages;
    };
    const std::vector<Case> cases = {
        {"mailq_empty.golden", {}},
        {"mailq_one.golden",
         {{envelope("0619A2B3C4D5E001", kJun1, 1234, "alice@example.org",
                    {pending("bob@example.org")})}}},
        {"mailq_held.golden",
         {{envelope("0619A2B3C4D5E002", kJun2, 512, "", {pending("alice@example.org")}),
           Place::hold}}},
        {"mailq_deferred.golden",
         {{envelope("0619A2B3C4D5E003", kJun1, 40960, "cron@example.org",
                    {pending("root@example.org")},
                    "mx.example.org[192.0.2.1]:587: 451 4.3.0 Try again later")}}},
        {"mailq_recipients.golden",
         {{envelope("0619A2B3C4D5E004", kJun2, 2048, "alice@example.org",
                    {{"sent@example.org", "", RecipientState::sent, "250 2.0.0 Ok"},
                     pending("bob@example.org"),
                     pending("carol@example.org"),
                     {"dave@example.org", "dave", RecipientState::bounced, kBounce},
                     pending("erin@example.org", "452 4.2.2 Mailbox full"),
                     pending("frank@example.org")},
                    kLongError)}}},
        {"mailq_many.golden",
         {{envelope("0619A2B3C4D5E005", kJun1, 1024, "alice@example.org",
                    {pending("bob@example.org")}),
           Place::queue, true},
          {envelope("0619A2B3C4D5E006", kJun2, 2048, "bob@example.org",
                    {pending("carol@example.org")}),
           Place::hold},
          {envelope("0619A2B3C4D5E007", kDec30, 3000, "carol@example.org",
                    {{"dave@example.org", "", RecipientState::bounced, kBounce},
                     pending("erin@example.org")})}}},
        {"mailq_active.golden",
         {{envelope("0619A2B3C4D5E008", kJun2, 4096, "backup@host.example.org",
                    {pending("ops@example.org", "451 4.7.1 Greylisted, try again in 300 s")},
                    "mx.example.org[192.0.2.1]:587: 451 4.7.1 Greylisted, try again in 300 s"),
           Place::queue, true}}},
        {"mailq_long.golden",
         {{envelope("0619A2B3C4D5E009", kJun1, 123456789,
                    "a-very-long-sender-name-from-a-web-application@mailer.subdomain.example.org",
                    {pending("first.recipient.with.a.long.name@departement.example.com"),
                     pending("\"quoted local part\"@example.net"),
                     pending("x@" + std::string(80, 'y') + ".example")},
                    "mx.example.org[192.0.2.1]:587: 452 4.3.1 Insufficient system storage, "
                    "try again later")}}},
    };
    for (const auto& c : cases) {
        INFO(c.file);
        CHECK(format_mailq(c.messages) == golden(c.file));
    }
}

TEST_CASE("format_mailq details", "[mailq_format]") {
    use_utc();
    CHECK(format_mailq({}) == "Mail queue is empty\n");

    // An active message shows '*' even when it is held; a failed one shows no mark.
    ListedMessage m{envelope("0619A2B3C4D5E001", kJun1, 1, "a@b", {pending("c@d")}), Place::hold,
                    true};
    CHECK_THAT(format_mailq({m}), Catch::Contains("\n0619A2B3C4D5E001* "));
    m.active = false;
    m.place = Place::failed;
    CHECK_THAT(format_mailq({m}), Catch::Contains("\n0619A2B3C4D5E001  "));

    // Sizes round down to whole Kbytes, summed over all messages.
    ListedMessage big{envelope("0619A2B3C4D5E002", kJun1, 1023, "a@b", {pending("c@d")})};
    CHECK_THAT(format_mailq({big}), Catch::EndsWith("\n-- 0 Kbytes in 1 Request.\n"));
    CHECK_THAT(format_mailq({big, big}), Catch::EndsWith("\n-- 1 Kbytes in 2 Requests.\n"));

    // Delivered recipients are not listed.
    ListedMessage done{envelope("0619A2B3C4D5E003", kJun1, 1, "a@b",
                                {{"gone@x", "", RecipientState::sent, "250 ok"}, pending("c@d")})};
    std::string out = format_mailq({done});
    CHECK(out.find("gone@x") == std::string::npos);
    CHECK(out.find("c@d") != std::string::npos);
}

// Issue 16, item 6: mailq printed a C1 byte taken from -f (and a smarthost's reply) as it was.
TEST_CASE("mailq escapes control characters in senders, recipients and reasons", "[mailq_format]") {
    ListedMessage m;
    m.envelope.id = "0619A2B3C4D5E001";
    m.envelope.sender =
        "evil\x9b"
        "2J@example.org";
    m.envelope.attempts = 1;
    m.envelope.recipients = {{"bob\x1b@example.net", "", RecipientState::pending,
                              "451 \xc2\x9b"
                              "1m later"}};
    std::string out = format_mailq({m});
    CHECK(out.find('\x1b') == std::string::npos);
    CHECK(out.find('\x9b') == std::string::npos);
    CHECK_THAT(out, Catch::Contains("evil\\x9b2J@example.org"));
    CHECK_THAT(out, Catch::Contains("bob\\x1b@example.net"));
    CHECK_THAT(out, Catch::Contains("(451 \\xc2\\x9b1m later)"));
}
