// Tests for delivery_outcome.hpp: the one function that turns an SMTP attempt (whether the
// transfer completed, and the paired transcript) into sent / deferred / bounced per recipient.
#include "nullrelayd/delivery_outcome.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace nullrelay;

namespace {

const std::string kRelay = "mx.example.org[192.0.2.1]:587";

// The exchanges before MAIL on an authenticated STARTTLS connection.
std::vector<SmtpExchange> opening() {
    return {{"", 220, "220 mx.example.org ESMTP"},
            {"EHLO relay.example.org", 250, "250-mx.example.org\n250 STARTTLS"},
            {"STARTTLS", 220, "220 2.0.0 Ready to start TLS"},
            {"EHLO relay.example.org", 250, "250-mx.example.org\n250 AUTH PLAIN"},
            {"AUTH PLAIN <redacted>", 235, "235 2.7.0 Authentication successful"}};
}

constexpr bool kCompleted = true, kBroken = false;

SmtpAttempt attempt(bool completed, std::vector<SmtpExchange> after_opening,
                    std::string error = "") {
    SmtpAttempt a;
    a.completed = completed;
    a.error = completed ? "" : error.empty() ? "Failure when receiving data from the peer" : error;
    a.relay = kRelay;
    a.exchanges = opening();
    a.exchanges.insert(a.exchanges.end(), after_opening.begin(), after_opening.end());
    return a;
}

const SmtpExchange kMailOk{"MAIL FROM:<alice@example.org>", 250, "250 2.1.0 Ok"};
const SmtpExchange kRcpt1Ok{"RCPT TO:<bob@example.org>", 250, "250 2.1.5 Ok"};
const SmtpExchange kRcpt2Ok{"RCPT TO:<carol@example.org>", 250, "250 2.1.5 Ok"};
const SmtpExchange kData{"DATA", 354, "354 End data with <CR><LF>.<CR><LF>"};
const SmtpExchange kQueued{"", 250, "250 2.0.0 Ok: queued as 4VxYz"};

struct Want {
    Verdict verdict;
    std::string dsn;
    std::string reply;
};

void check(const AttemptVerdict& v, const std::vector<Want>& want) {
    REQUIRE(v.recipients.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        INFO("recipient " << i);
        CHECK(v.recipients[i].verdict == want[i].verdict);
        CHECK(v.recipients[i].dsn == want[i].dsn);
        CHECK(v.recipients[i].reply == want[i].reply);
    }
}

}  // namespace

TEST_CASE("decide_outcome: verdicts from the SMTP replies", "[delivery_outcome]") {
    const SmtpExchange rcpt1_550{"RCPT TO:<bob@example.org>", 550,
                                 "550 5.1.1 <bob@example.org>: Recipient address rejected"};
    const SmtpExchange rcpt1_450{"RCPT TO:<bob@example.org>", 450, "450 4.2.0 Mailbox busy"};
    const SmtpExchange rcpt2_451{"RCPT TO:<carol@example.org>", 451, "451 4.3.0 Try later"};

    SECTION("all accepted") {
        auto v =
            decide_outcome(attempt(kCompleted, {kMailOk, kRcpt1Ok, kRcpt2Ok, kData, kQueued}), 2);
        check(v,
              {{Verdict::sent, "2.0.0", kQueued.reply}, {Verdict::sent, "2.0.0", kQueued.reply}});
        CHECK(v.summary.empty());
        CHECK_FALSE(v.try_next_host);
    }
    SECTION("one recipient refused, one accepted (ALLLOWFAILS)") {
        auto v =
            decide_outcome(attempt(kCompleted, {kMailOk, rcpt1_550, kRcpt2Ok, kData, kQueued}), 2);
        check(v, {{Verdict::bounced, "5.1.1", rcpt1_550.reply},
                  {Verdict::sent, "2.0.0", kQueued.reply}});
        CHECK(v.summary == rcpt1_550.reply);
    }
    SECTION("one recipient deferred by RCPT") {
        auto v =
            decide_outcome(attempt(kCompleted, {kMailOk, rcpt1_450, kRcpt2Ok, kData, kQueued}), 2);
        check(v, {{Verdict::deferred, "4.2.0", rcpt1_450.reply},
                  {Verdict::sent, "2.0.0", kQueued.reply}});
    }
    SECTION("every recipient refused: no DATA") {
        auto v = decide_outcome(attempt(kBroken, {kMailOk, rcpt1_550, rcpt2_451}), 2);
        check(v, {{Verdict::bounced, "5.1.1", rcpt1_550.reply},
                  {Verdict::deferred, "4.3.0", rcpt2_451.reply}});
        CHECK(v.summary == rcpt2_451.reply);
        CHECK_FALSE(v.try_next_host);
    }
    SECTION("MAIL refused permanently") {
        const SmtpExchange mail{"MAIL FROM:<alice@example.org>", 551, "551 5.7.1 Not allowed"};
        auto v = decide_outcome(attempt(kBroken, {mail}), 2);
        check(v,
              {{Verdict::bounced, "5.7.1", mail.reply}, {Verdict::bounced, "5.7.1", mail.reply}});
        CHECK(v.summary == mail.reply);
        CHECK_FALSE(v.try_next_host);
    }
    SECTION("MAIL refused with 421") {
        const SmtpExchange mail{"MAIL FROM:<alice@example.org>", 421, "421 4.4.2 Idle timeout"};
        auto v = decide_outcome(attempt(kBroken, {mail}), 2);
        check(v,
              {{Verdict::deferred, "4.4.2", mail.reply}, {Verdict::deferred, "4.4.2", mail.reply}});
    }
    SECTION("DATA refused") {
        const SmtpExchange data{"DATA", 554, "554 5.5.1 No valid recipients"};
        auto v = decide_outcome(attempt(kBroken, {kMailOk, rcpt1_450, kRcpt2Ok, data}), 2);
        check(v, {{Verdict::deferred, "4.2.0", rcpt1_450.reply},  // keeps its own reply
                  {Verdict::bounced, "5.5.1", data.reply}});
        CHECK(v.summary == data.reply);
    }
    SECTION("end of data deferred") {
        const SmtpExchange end{"", 451, "451 4.3.0 Queue file write error"};
        auto v = decide_outcome(attempt(kBroken, {kMailOk, kRcpt1Ok, kRcpt2Ok, kData, end}), 2);
        check(v,
              {{Verdict::deferred, "4.3.0", end.reply}, {Verdict::deferred, "4.3.0", end.reply}});
        CHECK(v.summary == end.reply);
        CHECK_FALSE(v.try_next_host);
    }
    SECTION("end of data refused") {
        const SmtpExchange end{"", 554, "554 5.7.1 Message rejected as spam"};
        auto v = decide_outcome(attempt(kBroken, {kMailOk, rcpt1_550, kRcpt2Ok, kData, end}), 2);
        check(v, {{Verdict::bounced, "5.1.1", rcpt1_550.reply},  // keeps its own reply
                  {Verdict::bounced, "5.7.1", end.reply}});
    }
    SECTION("connection lost after MAIL was accepted") {
        auto v = decide_outcome(attempt(kBroken, {kMailOk, kRcpt1Ok}), 1);
        const std::string why = kRelay + ": Failure when receiving data from the peer";
        check(v, {{Verdict::deferred, "4.4.0", why}});
        CHECK(v.summary == why);
        CHECK_FALSE(v.try_next_host);  // the smarthost had the message in hand
    }
}

TEST_CASE("decide_outcome: failures before MAIL defer and try the next host",
          "[delivery_outcome]") {
    struct Case {
        const char* label;
        std::string error;
        std::vector<SmtpExchange> exchanges;
        bool refused_without_auth;
        std::string want_summary;
    };
    const std::vector<Case> cases = {
        {"connection refused",
         "Failed to connect to mx.example.org port 587: Connection refused",
         {},
         false,
         kRelay + ": Failed to connect to mx.example.org port 587: Connection refused"},
        {"no error text", "", {}, false, kRelay + ": the transfer failed"},
        {"TLS verification",
         "SSL: certificate subject name does not match",
         {{"", 220, "220 mx ESMTP"},
          {"EHLO relay", 250, "250 STARTTLS"},
          {"STARTTLS", 220, "220 Go ahead"}},
         false,
         kRelay + ": SSL: certificate subject name does not match"},
        {"greeting 554",
         "Got unexpected reply",
         {{"", 554, "554 No service"}},
         false,
         kRelay + ": Got unexpected reply (554 No service)"},
        {"AUTH refused",
         "Login denied",
         {{"", 220, "220 mx"},
          {"EHLO relay", 250, "250 AUTH PLAIN"},
          {"AUTH PLAIN <redacted>", 535, "535 5.7.8 Bad credentials"}},
         false,
         kRelay + ": Login denied (535 5.7.8 Bad credentials)"},
        {"no AUTH offered",
         "not sending without AUTH",
         {{"", 220, "220 mx"}, {"EHLO relay", 250, "250 8BITMIME"}},
         true,
         kRelay + ": not sending without AUTH"},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        SmtpAttempt a;
        a.error = c.error;
        a.relay = kRelay;
        a.exchanges = c.exchanges;
        a.refused_without_auth = c.refused_without_auth;
        auto v = decide_outcome(a, 3);
        check(v, std::vector<Want>(3, {Verdict::deferred, "4.4.0", c.want_summary}));
        CHECK(v.summary == c.want_summary);
        CHECK(v.try_next_host);
    }
}

// Bug: the `mail->code >= 400` branch returns before the fallback that sets try_next_host for
// a 421 reply to MAIL (a stale or shutting-down smarthost), so the next host is never tried.
TEST_CASE("decide_outcome: 421 to MAIL tries the next host", "[delivery_outcome]") {
    const SmtpExchange mail{"MAIL FROM:<alice@example.org>", 421, "421 4.3.2 Shutting down"};
    auto v = decide_outcome(attempt(kBroken, {mail}), 1);
    REQUIRE(v.recipients.size() == 1);
    CHECK(v.recipients[0].verdict == Verdict::deferred);
    CHECK(v.try_next_host);
}

TEST_CASE("enhanced_status", "[delivery_outcome]") {
    struct Case {
        int code;
        const char* reply;
        const char* want;
    };
    for (Case c : {Case{550, "550 5.1.1 <x@y>: Recipient address rejected", "5.1.1"},
                   {550, "550-5.7.1 first line\n550 5.7.1 second line", "5.7.1"},
                   {250, "250 2.0.0 Ok: queued", "2.0.0"},
                   {451, "451 4.3.0 Try later", "4.3.0"},
                   {550, "550 5.1.10 Null MX", "5.1.10"},
                   {550, "550 Mailbox unavailable", "5.0.0"},
                   {550, "550 4.1.1 class does not match the code", "5.0.0"},
                   {550, "550 5.1 too short", "5.0.0"},
                   {550, "550 5.1.1.1 too many parts", "5.0.0"},
                   {550, "550 5.1.x letters", "5.0.0"},
                   {421, "421", "4.0.0"},
                   {0, "", "4.0.0"},
                   {999, "999 9.9.9 nonsense", "4.0.0"}}) {
        INFO(c.reply);
        CHECK(enhanced_status(c.code, c.reply) == c.want);
    }
}

// Bug: enhanced_status() counts the dots but not the digits between them, so "5..11" and
// "5.11." pass as status codes (RFC 3463: class "." subject "." detail, each 1-3 digits).
TEST_CASE("enhanced_status refuses empty subject or detail", "[delivery_outcome]") {
    CHECK(enhanced_status(550, "550 5..11 empty subject") == "5.0.0");
    CHECK(enhanced_status(550, "550 5.11. empty detail") == "5.0.0");
}
