// Tests for delivery.hpp without a network: with no smarthost configured every attempt is
// deferred, and queue_lifetime = 0 makes it expire at once, which drives the bookkeeping after
// an attempt: bounce first, then the original leaves the queue; a bounce that fails goes to
// failed/; a bounce that cannot be queued keeps the recipients pending. The Deliverer reads a
// clock the test sets (clock.hpp), so backoff and expiry are checked to the second.
#include "nullrelayd/delivery.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

using namespace nullrelay;

namespace {

constexpr std::int64_t kArrival = 1763759796;

struct Fixture {
    std::string root;
    std::unique_ptr<Spool> spool;
    Config config;
    double now = kArrival + 100.5;  // the Deliverer's clock
    Fixture() {
        char tmpl[] = "/tmp/nullrelay-delivery-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        root = tmpl;
        REQUIRE(Spool::create(root));
        auto s = Spool::open(root);
        REQUIRE(s);
        spool = std::make_unique<Spool>(std::move(*s));
        config.hostname = "relay.example.org";
        config.sender_domain = "example.org";
        config.queue_lifetime = std::chrono::seconds(0);  // every attempt is the last
    }
    ~Fixture() { std::filesystem::remove_all(root); }

    void queue(const std::string& id, const std::string& sender, bool with_content = true,
               std::int64_t arrival = kArrival) {
        Envelope e;
        e.id = id;
        e.arrival = arrival;
        e.submitter_name = "alice";
        e.sender = sender;
        e.recipients = {{"bob@example.net", "bob", RecipientState::pending, ""},
                        {"carol@example.net", "carol@example.net", RecipientState::sent, "250 ok"}};
        if (with_content) {
            auto fd = spool->create_content(id);
            REQUIRE(fd);
            REQUIRE(::write(fd->get(), "Subject: s\r\n\r\nbody\r\n", 20) == 20);
            e.size = 20;
        }
        REQUIRE(spool->store(Place::queue, e));
    }
    Deliverer::Outcome deliver(const std::string& id) {
        AddressRewriter rewriter(config);
        // No smarthost is configured: the Deliverer must not ask for a transport.
        auto no_transport = [](const Smarthost&) -> std::unique_ptr<Transport> {
            FAIL("a transport was made without a smarthost");
            return nullptr;
        };
        Deliverer d(*spool, config, no_transport, rewriter, nullptr);
        d.set_clock(manual_clock(&now));
        return d.deliver(id);
    }
};

const std::string kId = "660CFE0332AE458D";

}  // namespace

TEST_CASE("Deliverer: an expired recipient is bounced, then the message leaves", "[delivery]") {
    Fixture f;
    f.queue(kId, "alice@example.org");
    auto out = f.deliver(kId);
    CHECK_FALSE(out.next_attempt);
    REQUIRE(out.queued.size() == 1);
    CHECK(out.retired);  // its files are for the caller to purge
    CHECK_FALSE(f.spool->exists(Place::queue, kId));
    CHECK_FALSE(f.spool->exists(Place::failed, kId));
    auto bounce = f.spool->load(Place::queue, out.queued[0]);
    REQUIRE(bounce);
    CHECK(bounce->sender.empty());
    REQUIRE(bounce->recipients.size() == 1);
    CHECK(bounce->recipients[0].address == "alice@example.org");
}

TEST_CASE("Deliverer: a failed bounce goes to failed/, is never bounced", "[delivery]") {
    Fixture f;
    f.queue(kId, "");
    auto out = f.deliver(kId);
    CHECK_FALSE(out.next_attempt);
    CHECK(out.queued.empty());
    CHECK(f.spool->list(Place::queue).empty());
    auto failed = f.spool->load(Place::failed, kId);
    REQUIRE(failed);
    CHECK(failed->recipients[0].state == RecipientState::bounced);
    CHECK(failed->recipients[1].state == RecipientState::sent);
    CHECK_THAT(failed->recipients[0].last_reply, Catch::Contains("no smarthost configured"));
    CHECK(f.spool->open_content(*failed));  // kept with its content
    CHECK_FALSE(out.retired);
}

TEST_CASE("Deliverer: when the bounce cannot be queued the recipient stays", "[delivery]") {
    Fixture f;
    f.queue(kId, "alice@example.org", false);  // no content: the report cannot be built
    auto out = f.deliver(kId);
    CHECK(out.queued.empty());
    REQUIRE(out.next_attempt);
    // Past the lifetime the backoff still applies: no retry every second while the disk is full.
    CHECK(*out.next_attempt == kArrival + 100 + f.config.retry_min.count());
    auto env = f.spool->load(Place::queue, kId);
    REQUIRE(env);
    CHECK(env->recipients[0].state == RecipientState::pending);
    CHECK_THAT(env->last_error, Catch::StartsWith("cannot queue the bounce: "));
    CHECK(f.spool->list(Place::queue).size() == 1);
}

TEST_CASE("Deliverer: the last retry falls on the expiry time", "[delivery]") {
    Fixture f;
    f.config.queue_lifetime = std::chrono::seconds(5 * 86400);
    f.config.retry_min = std::chrono::seconds(86400);
    f.config.retry_max = std::chrono::seconds(86400);
    const std::int64_t arrival = kArrival - 5 * 86400 + 3600;  // expires in an hour
    f.queue(kId, "alice@example.org", true, arrival);
    auto out = f.deliver(kId);
    REQUIRE(out.next_attempt);
    CHECK(*out.next_attempt == arrival + 5 * 86400);  // the expiry time, not now + 1d
}

TEST_CASE("Deliverer: -N never gets no bounce; the message is kept in failed/", "[delivery]") {
    for (std::string notify : {"never", "success,delay"}) {
        INFO(notify);
        Fixture f;
        f.queue(kId, "alice@example.org");
        auto env = f.spool->load(Place::queue, kId);
        REQUIRE(env);
        env->dsn.notify = notify;
        REQUIRE(f.spool->store(Place::queue, *env));
        auto out = f.deliver(kId);  // queue_lifetime 0: bob expires at once
        CHECK(out.queued.empty());
        CHECK_FALSE(out.next_attempt);
        CHECK(f.spool->list(Place::queue).empty());
        REQUIRE(f.spool->list(Place::failed) == std::vector<std::string>{kId});
        auto kept = f.spool->load(Place::failed, kId);
        REQUIRE(kept);
        CHECK(kept->recipients[0].state == RecipientState::bounced);
    }
}

TEST_CASE("Deliverer: retries back off from retry_min to retry_max, then expire", "[delivery]") {
    Fixture f;
    f.config.queue_lifetime = std::chrono::seconds(3600);
    f.config.retry_min = std::chrono::seconds(60);
    f.config.retry_max = std::chrono::seconds(300);
    f.now = kArrival + 0.25;
    f.queue(kId, "alice@example.org");
    std::vector<std::int64_t> waits;
    for (int attempt = 1; attempt <= 5; ++attempt) {
        auto out = f.deliver(kId);
        REQUIRE(out.next_attempt);
        CHECK(out.queued.empty());
        waits.push_back(*out.next_attempt - static_cast<std::int64_t>(f.now));
        f.now = static_cast<double>(*out.next_attempt);  // the daemon runs it when due
    }
    CHECK(waits == std::vector<std::int64_t>{60, 120, 240, 300, 300});
    auto env = f.spool->load(Place::queue, kId);
    REQUIRE(env);
    CHECK(env->attempts == 5);
    CHECK(env->recipients[0].state == RecipientState::pending);

    // A second before the end of queue_lifetime: the next try is the expiry time itself.
    f.now = kArrival + 3600 - 1;
    auto last = f.deliver(kId);
    REQUIRE(last.next_attempt);
    CHECK(*last.next_attempt == kArrival + 3600);
    CHECK(last.queued.empty());

    // At the expiry time: bob fails for good, the bounce is queued, the message leaves.
    f.now = kArrival + 3600;
    auto expired = f.deliver(kId);
    CHECK_FALSE(expired.next_attempt);
    REQUIRE(expired.queued.size() == 1);
    CHECK_FALSE(f.spool->exists(Place::queue, kId));
    auto bounce = f.spool->load(Place::queue, expired.queued[0]);
    REQUIRE(bounce);
    CHECK(bounce->arrival == kArrival + 3600);  // queued at the Deliverer's now
}
