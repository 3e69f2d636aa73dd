// Tests for queue_census.hpp: messages are counted by state from the spool, and what the
// daemon remembers of an envelope's attempts is used instead of reading it (so that `nullrelay
// stats` costs no envelope read per message in the daemon's event loop).
#include "control/queue_census.hpp"
#include "queue_fixture.hpp"

#include <catch2/catch.hpp>

using namespace nullrelay;
using namespace nullrelay::test;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;
const std::string kDeferred = "0619A2B3C4D5E001", kFresh = "0619A2B3C4D5E002",
                  kFlying = "0619A2B3C4D5E003", kUnreadable = "0619A2B3C4D5E006";

// queue/: a deferred message, a never attempted one, one in flight and an unreadable one;
// hold/ and failed/ one each.
struct CensusSpool {
    TempSpool dir;
    Spool spool = open_spool(dir.root);
    FakeDeliveryState state;
    CensusSpool() {
        Envelope fresh = envelope(kFresh, 1000, "b@example.org");
        fresh.attempts = 0;
        REQUIRE(spool.store(Place::queue, envelope(kDeferred, 1000, "a@example.org")));
        REQUIRE(spool.store(Place::queue, fresh));
        REQUIRE(spool.store(Place::queue, envelope(kFlying, 1000, "c@example.org")));
        REQUIRE(spool.store(Place::hold, envelope("0619A2B3C4D5E004", 1000, "d@example.org")));
        REQUIRE(spool.store(Place::failed, envelope("0619A2B3C4D5E005", 1000, "e@example.org")));
        dir.write("queue/" + kUnreadable, "not an envelope\n");
        state.flying = {kFlying};
    }
};

}  // namespace

TEST_CASE("the census reads each queued envelope it knows nothing of", "[queue_census]") {
    CensusSpool c;
    QueueStats s = count_queue(c.spool, c.state, kNow);
    CHECK(s.deferred == 1);
    CHECK(s.queued == 1);
    CHECK(s.active == 1);
    CHECK(s.unreadable == 1);
    CHECK(s.held == 1);
    CHECK(s.failed == 1);
    CHECK(s.maildrop == 0);
    CHECK(s.now == kNow);
    CHECK(s.oldest_arrival == queue_id_arrival(kDeferred));
    CHECK(s.oldest_arrival > 0);
}

TEST_CASE("the census takes what the daemon knows of an envelope without reading it",
          "[queue_census]") {
    CensusSpool c;
    // The daemon's word wins over the file: proof that the file was not read. The unreadable
    // one is known too, so nothing is counted unreadable.
    c.state.known_attempted = {{kDeferred, false}, {kFresh, true}, {kUnreadable, true}};
    QueueStats s = count_queue(c.spool, c.state, kNow);
    CHECK(s.queued == 1);
    CHECK(s.deferred == 2);
    CHECK(s.unreadable == 0);
    CHECK(s.active == 1);
    CHECK(s.held == 1);
    CHECK(s.failed == 1);
}
