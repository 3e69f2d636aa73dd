// Tests for delivery.hpp without a network: with no smarthost configured every attempt is
// deferred, and queue_lifetime = 0 makes it expire at once, which drives the bookkeeping after
// an attempt: bounce first, then the original leaves the queue; a bounce that fails goes to
// failed/; a bounce that cannot be queued keeps the recipients pending.
#include "delivery.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

using namespace nullrelay;

namespace {

struct Fixture {
    std::string root;
    std::unique_ptr<Spool> spool;
    Config config;
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
               std::int64_t arrival = 1763759796) {
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
        Deliverer d(*spool, config, Credentials{}, rewriter, nullptr);
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
    CHECK(f.spool->open_content(kId));  // kept with its content
    CHECK_FALSE(out.retired);
}

TEST_CASE("Deliverer: when the bounce cannot be queued the recipient stays", "[delivery]") {
    Fixture f;
    f.queue(kId, "alice@example.org", false);  // no content: the report cannot be built
    const auto before = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    auto out = f.deliver(kId);
    CHECK(out.queued.empty());
    REQUIRE(out.next_attempt);
    // Past the lifetime the backoff still applies: no retry every second while the disk is full.
    CHECK(*out.next_attempt >= before + f.config.retry_min.count());
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
    const std::int64_t arrival = std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count() -
                                 5 * 86400 + 3600;  // expires in an hour
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
        env->options.notify = notify;
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
