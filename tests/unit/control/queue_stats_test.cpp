// Tests for queue_stats.hpp: the fields that carry stats over the control socket come back as
// they went, a daemon's unknown fields are ignored, bad values refused; and queue ids spell
// their arrival time.
#include "control/queue_stats.hpp"

#include <catch2/catch.hpp>

#include <chrono>

#include "control/control_protocol.hpp"
#include "queue/queue_id.hpp"

using namespace nullrelay;

TEST_CASE("stats survive the trip through their fields", "[queue_stats]") {
    QueueStats s;
    s.now = 1'800'000'100;
    s.queued = 1;
    s.deferred = 2;
    s.active = 7;
    s.held = 3;
    s.failed = 4;
    s.maildrop = 5;
    s.unreadable = 6;
    s.oldest_arrival = 1'800'000'000;
    auto back = stats_from_fields(stats_fields(s));
    REQUIRE(back);
    CHECK(*back == s);
    CHECK(!back->counters);

    DeliveryCounts c;
    c.started = 1'799'000'000;
    c.delivered = 10;
    c.deferred = 11;
    c.bounced = 12;
    for (size_t i = 0; i < kFailureClasses; ++i)
        c.failures[i] = 20 + i;
    c.connections_opened = 30;
    c.connections_reused = 31;
    c.last_delivery = 1'800'000'050;
    c.latency_count = 40;
    c.latency_sum = 1.5;
    c.latency_median = 0.25;
    c.latency_p99 = 0.75;
    s.counters = c;
    back = stats_from_fields(stats_fields(s));
    REQUIRE(back);
    CHECK(*back == s);
}

TEST_CASE("unknown stats are ignored, bad values refused", "[queue_stats]") {
    auto s = stats_from_fields({{"now", "5"}, {"queued", "2"}, {"from_the_future", "x"}});
    REQUIRE(s);
    CHECK(s->queued == 2);
    CHECK(!stats_from_fields({{"queued", "-1"}}));
    CHECK(!stats_from_fields({{"queued", "1x"}}));
    CHECK(!stats_from_fields({{"counters", "1"}, {"latency_p99", "nan"}}));
}

TEST_CASE("stat records pass the reply decoder", "[queue_stats]") {
    struct Sink : ReplySink {
        void message(const ListedMessage&) override {}
        void problem(const Error&) override {}
        void result(const Outcome&) override {}
        void waiting(const std::string&) override {}
        void content(UniqueFd) override {}
        void stat(const std::string& n, const std::string& v) override { fields.push_back({n, v}); }
        StatsFields fields;
    } sink;
    ReplyDecoder decoder(sink);
    std::vector<UniqueFd> fds;
    REQUIRE(decoder.feed(encode_stat("queued", "3") + encode_done(0, ""), fds));
    CHECK(decoder.outcome());
    CHECK(sink.fields == StatsFields{{"queued", "3"}});
    ReplyDecoder bad(sink);
    CHECK(!bad.feed("stat Queued 3\n", fds));
}

TEST_CASE("a queue id spells its arrival", "[queue_stats]") {
    using namespace std::chrono;
    const auto when = system_clock::time_point(seconds(1'800'000'123)) + milliseconds(456);
    CHECK(queue_id_arrival(new_queue_id(when)) == 1'800'000'123);
    CHECK(queue_id_arrival("not an id") == 0);
}
