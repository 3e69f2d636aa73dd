// Delivery decisions through the real Deliverer, with a scripted Transport in place of the
// SMTP session (transport.hpp): each case gives the replies a smarthost would give and checks
// what the queue records afterwards: who was sent, who bounced (and that the bounce was queued
// first), who waits for a retry and when, and which smarthost was asked.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nullrelayd/delivery.hpp"
#include "queue_fixture.hpp"

using namespace nullrelay;
using namespace nullrelay::test;

namespace {

constexpr std::int64_t kArrival = 1763759796;
const std::string kId = "660CFE0332AE458D";
const std::string kContent = "Subject: s\r\n\r\nbody\r\n";

// What one smarthost will answer, attempt after attempt, and what it was given.
struct Script {
    std::deque<SmtpAttempt> attempts;
    std::vector<OutgoingMessage> sent;
    std::vector<std::string> contents;
};

class ScriptedTransport final : public Transport {
  public:
    explicit ScriptedTransport(Script& script) : script_(script) {}
    SmtpAttempt send(const OutgoingMessage& m) override {
        script_.sent.push_back(m);
        std::string content(m.size, '\0');
        REQUIRE(::pread(m.content_fd, content.data(), content.size(), 0) ==
                static_cast<ssize_t>(m.size));
        script_.contents.push_back(content);
        REQUIRE_FALSE(script_.attempts.empty());  // the test did not expect another attempt
        SmtpAttempt a = std::move(script_.attempts.front());
        script_.attempts.pop_front();
        return a;
    }

  private:
    Script& script_;
};

// The greeting and the authenticated STARTTLS opening, then what the case adds.
SmtpAttempt attempt(bool completed, std::vector<SmtpExchange> after_opening,
                    std::string error = "") {
    SmtpAttempt a;
    a.completed = completed;
    a.error = std::move(error);
    a.relay = "mx.example.net[192.0.2.1]:587";
    a.exchanges = {{"", 220, "220 mx.example.net ESMTP"},
                   {"EHLO relay.example.org", 250, "250-mx.example.net\n250 AUTH PLAIN"},
                   {"AUTH PLAIN <redacted>", 235, "235 2.7.0 Authentication successful"}};
    a.exchanges.insert(a.exchanges.end(), after_opening.begin(), after_opening.end());
    return a;
}

const SmtpExchange kMail{"MAIL FROM:<alice@example.org>", 250, "250 2.1.0 Ok"};
const SmtpExchange kBobOk{"RCPT TO:<bob@example.net>", 250, "250 2.1.5 Ok"};
const SmtpExchange kCarolOk{"RCPT TO:<carol@example.net>", 250, "250 2.1.5 Ok"};
const SmtpExchange kData{"DATA", 354, "354 End data with <CR><LF>.<CR><LF>"};
const SmtpExchange kQueued{"", 250, "250 2.0.0 Ok: queued as 4VxYz"};

struct Fixture {
    TempSpool t;
    Spool spool = open_spool(t.root);
    Config config;
    double now = kArrival + 10;
    std::map<std::string, Script> hosts;   // by smarthost name
    DeliveryCounters* counters = nullptr;  // counted there when set

    Fixture() {
        config.hostname = "relay.example.org";
        config.sender_domain = "example.org";
        config.smarthosts = {{"mx.example.net", 587}, {"backup.example.net", 587}};
        config.retry_min = std::chrono::seconds(60);
        config.queue_lifetime = std::chrono::seconds(5 * 86400);
        Envelope e;
        e.id = kId;
        e.arrival = kArrival;
        e.submitter_name = "alice";
        e.sender = "alice@example.org";
        e.recipients = {{"bob@example.net", "bob", RecipientState::pending, ""},
                        {"carol@example.net", "carol", RecipientState::pending, ""}};
        auto fd = spool.create_content(kId);
        REQUIRE(fd);
        REQUIRE(::write(fd->get(), kContent.data(), kContent.size()) ==
                static_cast<ssize_t>(kContent.size()));
        e.size = kContent.size();
        REQUIRE(spool.store(Place::queue, e));
    }

    Deliverer::Outcome deliver() {
        AddressRewriter rewriter(config);
        auto scripted = [this](const Smarthost& h) -> std::unique_ptr<Transport> {
            return std::make_unique<ScriptedTransport>(hosts[h.host]);
        };
        Deliverer d(spool, config, scripted, rewriter, nullptr);
        d.set_clock(manual_clock(&now));
        d.set_counters(counters);
        return d.deliver(kId);
    }
    Envelope queued() {
        auto env = spool.load(Place::queue, kId);
        REQUIRE(env);
        return *env;
    }
    Script& mx() { return hosts["mx.example.net"]; }
    Script& backup() { return hosts["backup.example.net"]; }
};

}  // namespace

TEST_CASE("Deliverer with a smarthost: all accepted, the message leaves", "[delivery]") {
    Fixture f;
    f.mx().attempts = {attempt(true, {kMail, kBobOk, kCarolOk, kData, kQueued})};
    auto out = f.deliver();
    CHECK(out.retired);
    CHECK(out.left_as == "delivered");
    CHECK(out.queued.empty());
    CHECK_FALSE(f.spool.exists(Place::queue, kId));
    REQUIRE(f.mx().sent.size() == 1);
    CHECK(f.mx().sent[0].sender == "alice@example.org");
    CHECK(f.mx().sent[0].recipients ==
          std::vector<std::string>{"bob@example.net", "carol@example.net"});
    CHECK(f.mx().contents[0] == kContent);
    CHECK(f.backup().sent.empty());
}

TEST_CASE("Deliverer: a partial 5xx bounces that recipient, the other is sent", "[delivery]") {
    Fixture f;
    const SmtpExchange bob_550{"RCPT TO:<bob@example.net>", 550,
                               "550 5.1.1 <bob@example.net>: Recipient address rejected"};
    f.mx().attempts = {attempt(true, {kMail, bob_550, kCarolOk, kData, kQueued})};
    auto out = f.deliver();
    // The bounce to alice is queued, and only then does the message leave.
    REQUIRE(out.queued.size() == 1);
    auto bounce = f.spool.load(Place::queue, out.queued[0]);
    REQUIRE(bounce);
    CHECK(bounce->sender.empty());
    REQUIRE(bounce->recipients.size() == 1);
    CHECK(bounce->recipients[0].address == "alice@example.org");
    CHECK(out.retired);
    CHECK_THAT(out.left_as, Catch::StartsWith("bounced: 550 5.1.1"));
    CHECK(f.backup().sent.empty());  // a verdict on the message: no failover
}

TEST_CASE("Deliverer: 4xx greylisting defers with backoff, the retry delivers", "[delivery]") {
    Fixture f;
    const SmtpExchange bob_450{"RCPT TO:<bob@example.net>", 450, "450 4.2.0 Greylisted"};
    const SmtpExchange carol_450{"RCPT TO:<carol@example.net>", 450, "450 4.2.0 Greylisted"};
    f.mx().attempts = {
        attempt(false, {kMail, bob_450, carol_450}, "RCPT failed: 450"),
        attempt(true, {kMail, kBobOk, kCarolOk, kData, kQueued}),
    };
    auto first = f.deliver();
    REQUIRE(first.next_attempt);
    CHECK(*first.next_attempt == kArrival + 10 + 60);
    CHECK(first.queued.empty());
    Envelope env = f.queued();
    CHECK(env.attempts == 1);
    CHECK(first.attempt_stored);  // the daemon's census may count it deferred unread
    for (const Recipient& r : env.recipients) {
        CHECK(r.state == RecipientState::pending);
        CHECK(r.last_reply == "450 4.2.0 Greylisted");
    }
    CHECK(f.backup().sent.empty());  // the smarthost spoke about the message

    f.now = static_cast<double>(*first.next_attempt);
    auto second = f.deliver();
    CHECK(second.retired);
    CHECK(second.left_as == "delivered");
    CHECK(f.mx().sent.size() == 2);
}

TEST_CASE("Deliverer: a 421 fails over to the next smarthost", "[delivery]") {
    Fixture f;
    SECTION("421 greeting") {
        SmtpAttempt busy;
        busy.relay = "mx.example.net[192.0.2.1]:587";
        busy.error = "Got unexpected reply";
        busy.exchanges = {{"", 421, "421 4.3.2 Too busy"}};
        f.mx().attempts = {busy};
    }
    SECTION("421 to MAIL") {
        const SmtpExchange mail_421{"MAIL FROM:<alice@example.org>", 421,
                                    "421 4.3.2 Shutting down"};
        f.mx().attempts = {attempt(false, {mail_421}, "Failure when receiving data")};
    }
    f.backup().attempts = {attempt(true, {kMail, kBobOk, kCarolOk, kData, kQueued})};
    auto out = f.deliver();
    CHECK(out.retired);
    CHECK(out.left_as == "delivered");
    CHECK(f.mx().sent.size() == 1);
    CHECK(f.backup().sent.size() == 1);
}

TEST_CASE("Deliverer: every smarthost down defers, and says why", "[delivery]") {
    Fixture f;
    SmtpAttempt refused;
    refused.relay = "mx.example.net:587";
    refused.error = "Failed to connect to mx.example.net port 587: Connection refused";
    SmtpAttempt refused_too = refused;
    refused_too.relay = "backup.example.net:587";
    f.mx().attempts = {refused};
    f.backup().attempts = {refused_too};
    auto out = f.deliver();
    REQUIRE(out.next_attempt);
    Envelope env = f.queued();
    CHECK_THAT(env.last_error, Catch::Contains("backup.example.net:587: Failed to connect"));
    for (const Recipient& r : env.recipients)
        CHECK(r.state == RecipientState::pending);
}

TEST_CASE("Deliverer: the connection lost after DATA defers everyone, no failover", "[delivery]") {
    Fixture f;
    f.mx().attempts = {
        attempt(false, {kMail, kBobOk, kCarolOk, kData}, "Connection reset by peer")};
    auto out = f.deliver();
    REQUIRE(out.next_attempt);
    CHECK(out.queued.empty());
    for (const Recipient& r : f.queued().recipients)
        CHECK(r.state == RecipientState::pending);
    // The first smarthost may have the message: sending it elsewhere now would duplicate it.
    CHECK(f.backup().sent.empty());
}

// Issue 15, item 6: the smarthost's 250 to the data is final. A transport error after it (the
// QUIT or the close failing) must not send the message a second time.
TEST_CASE("Deliverer: a final 250 then a transport error is delivered, not retried", "[delivery]") {
    Fixture f;
    f.mx().attempts = {attempt(false, {kMail, kBobOk, kCarolOk, kData, kQueued},
                               "Failure when receiving data from the peer")};
    auto out = f.deliver();
    CHECK_FALSE(out.next_attempt);
    CHECK(out.retired);
    CHECK(out.left_as == "delivered");
    CHECK_FALSE(f.spool.exists(Place::queue, kId));
}

// Issue 15, item 4: a recipient is sent only on its own 2xx RCPT reply. A transcript with one
// RCPT for two recipients (the list cut short, a reply lost) must not mark both sent.
TEST_CASE("Deliverer: a recipient without its own RCPT reply is not sent", "[delivery]") {
    Fixture f;
    f.mx().attempts = {attempt(true, {kMail, kBobOk, kData, kQueued})};
    auto out = f.deliver();
    REQUIRE(out.next_attempt);  // carol is tried again
    CHECK_FALSE(out.retired);
    Envelope env = f.queued();
    CHECK(env.recipients[0].state == RecipientState::sent);
    CHECK(env.recipients[1].state == RecipientState::pending);
    CHECK_FALSE(env.recipients[1].last_reply.empty());
}

// Issue 15, item 5: a message whose envelope or content could not be loaded dropped out of the
// schedule (deliver() returned no next attempt) until a restart or a flush, even when the error
// passes (EMFILE, ENOMEM). A transient error is retried later; an envelope that will never load
// goes to corrupt/ and the postmaster is told.
TEST_CASE("Deliverer: a transient load error keeps the message scheduled", "[delivery]") {
    Fixture f;
    // The lowest free descriptor becomes the limit: the next open fails with EMFILE.
    int lowest = ::dup(0);
    REQUIRE(lowest >= 0);
    ::close(lowest);
    rlimit old{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
    rlimit low = old;
    low.rlim_cur = static_cast<rlim_t>(lowest);
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
    auto out = f.deliver();
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &old) == 0);
    REQUIRE(out.next_attempt);
    CHECK(*out.next_attempt > static_cast<std::int64_t>(f.now));
    CHECK_FALSE(out.attempt_stored);  // its envelope was not touched: the census reads it
    CHECK(f.spool.exists(Place::queue, kId));
    CHECK(f.mx().sent.empty());
}

TEST_CASE("Deliverer: an envelope that cannot be parsed goes to corrupt/, the postmaster is told",
          "[delivery]") {
    Fixture f;
    f.t.write("queue/" + kId, "nullrelay-queue 1\ngarbage\n");
    auto out = f.deliver();
    CHECK_FALSE(out.next_attempt);
    CHECK_FALSE(f.spool.exists(Place::queue, kId));
    CHECK(f.t.exists("corrupt/" + kId + ".envelope"));
    CHECK(f.t.exists("corrupt/" + kId + ".data"));
    REQUIRE(out.queued.size() == 1);
    auto notice = f.spool.load(Place::queue, out.queued[0]);
    REQUIRE(notice);
    CHECK(notice->sender.empty());
    REQUIRE(notice->recipients.size() == 1);
    CHECK(notice->recipients[0].address == "postmaster@example.org");
    CHECK(f.mx().sent.empty());
}

TEST_CASE("Deliverer: a message whose content is gone goes to corrupt/, the postmaster is told",
          "[delivery]") {
    Fixture f;
    REQUIRE(::unlink((f.t.root + "/data/" + kId).c_str()) == 0);
    auto out = f.deliver();
    CHECK_FALSE(out.next_attempt);
    CHECK_FALSE(f.spool.exists(Place::queue, kId));
    CHECK(f.t.exists("corrupt/" + kId + ".envelope"));
    REQUIRE(out.queued.size() == 1);
    CHECK(f.mx().sent.empty());
}

TEST_CASE("Deliverer: a message pickup found unsendable bounces without a connection",
          "[delivery]") {
    Fixture f;
    Envelope e = f.queued();
    e.unsendable = "5.6.9 header field From: the address x has non-ASCII characters";
    REQUIRE(f.spool.store(Place::queue, e));
    auto out = f.deliver();
    CHECK(f.mx().sent.empty());  // never offered to a smarthost
    CHECK(f.backup().sent.empty());
    REQUIRE(out.queued.size() == 1);  // the bounce
    CHECK(out.left_as == "bounced: header field From: the address x has non-ASCII characters");
    CHECK(out.retired);
    auto bounce = f.spool.load(Place::queue, out.queued[0]);
    REQUIRE(bounce);
    auto content = f.spool.open_content(*bounce);
    REQUIRE(content);
    std::string text(bounce->size, '\0');
    REQUIRE(::pread(content->fd.get(), text.data(), text.size(), content->offset) ==
            static_cast<ssize_t>(text.size()));
    CHECK_THAT(text, Catch::Contains("Status: 5.6.9"));
    CHECK_THAT(text, Catch::Contains("non-ASCII characters"));
}

// Issue 22: the counters that `nullrelay stats` and the metrics file report, counted by the
// real Deliverer per recipient line, by reason, per connection and transaction.
namespace {

size_t failures(const DeliveryCounts& c, FailureClass why) {
    return c.failures[static_cast<size_t>(why)];
}

}  // namespace

TEST_CASE("Deliverer counts deliveries, connections and transactions", "[delivery][counters]") {
    Fixture f;
    DeliveryCounters counters(kArrival);
    f.counters = &counters;
    SmtpAttempt opened = attempt(true, {kMail, kBobOk, kCarolOk, kData, kQueued});
    opened.capabilities = "SIZE 10240000, 8BITMIME";  // the smarthost answered EHLO anew
    f.mx().attempts = {opened};
    f.deliver();
    DeliveryCounts c = counters.snapshot();
    CHECK(c.started == kArrival);
    CHECK(c.delivered == 2);
    CHECK(c.deferred == 0);
    CHECK(c.bounced == 0);
    CHECK(c.connections_opened == 1);
    CHECK(c.connections_reused == 0);
    CHECK(c.latency_count == 1);
    CHECK(c.last_delivery == kArrival + 10);
    for (size_t i = 0; i < kFailureClasses; ++i)
        CHECK(c.failures[i] == 0);
}

TEST_CASE("Deliverer counts a reused connection and a 5xx", "[delivery][counters]") {
    Fixture f;
    DeliveryCounters counters(kArrival);
    f.counters = &counters;
    const SmtpExchange bob_550{"RCPT TO:<bob@example.net>", 550,
                               "550 5.1.1 <bob@example.net>: Recipient address rejected"};
    SmtpAttempt reused;
    reused.completed = true;
    reused.relay = "mx.example.net[192.0.2.1]:587";
    reused.exchanges = {kMail, bob_550, kCarolOk, kData, kQueued};
    f.mx().attempts = {reused};
    f.deliver();
    DeliveryCounts c = counters.snapshot();
    CHECK(c.delivered == 1);
    CHECK(c.bounced == 1);
    CHECK(failures(c, FailureClass::reply_5xx) == 1);
    CHECK(c.connections_opened == 0);
    CHECK(c.connections_reused == 1);
}

TEST_CASE("Deliverer counts 4xx, TLS, AUTH and connection failures apart", "[delivery][counters]") {
    Fixture f;
    f.config.smarthosts = {{"mx.example.net", 587}};  // no failover: one attempt each
    DeliveryCounters counters(kArrival);
    f.counters = &counters;
    const SmtpExchange bob_450{"RCPT TO:<bob@example.net>", 450, "450 4.2.0 Greylisted"};
    const SmtpExchange carol_450{"RCPT TO:<carol@example.net>", 450, "450 4.2.0 Greylisted"};
    SmtpAttempt tls;
    tls.relay = "mx.example.net[192.0.2.1]:587";
    tls.error = "SSL peer certificate or SSH remote key was not OK";
    tls.exchanges = {{"", 220, "220 mx.example.net ESMTP"},
                     {"EHLO relay.example.org", 250, "250-mx.example.net\n250 STARTTLS"},
                     {"STARTTLS", 220, "220 2.0.0 Ready to start TLS"}};
    SmtpAttempt auth = attempt(false, {}, "Login denied");
    auth.exchanges.back() = {"AUTH PLAIN <redacted>", 535, "535 5.7.8 Authentication failed"};
    SmtpAttempt refused;
    refused.relay = "mx.example.net[192.0.2.1]:587";
    refused.error = "Couldn't connect to server";
    f.mx().attempts = {attempt(false, {kMail, bob_450, carol_450}, "RCPT failed: 450"), tls, auth,
                       refused};
    for (int i = 0; i < 4; ++i) {
        f.now += 3600;  // each retry due
        f.deliver();
    }
    DeliveryCounts c = counters.snapshot();
    CHECK(c.delivered == 0);
    CHECK(c.deferred == 8);
    CHECK(c.bounced == 0);
    CHECK(failures(c, FailureClass::reply_4xx) == 2);
    CHECK(failures(c, FailureClass::tls) == 2);
    CHECK(failures(c, FailureClass::auth) == 2);
    CHECK(failures(c, FailureClass::connection) == 2);
    CHECK(failures(c, FailureClass::reply_5xx) == 0);
    CHECK(c.latency_count == 3);  // the refused connection had no transaction
    CHECK(c.last_delivery == 0);
}
