// Tests for prometheus_text.hpp: the exact exposition of a known set of stats (names, labels,
// HELP and TYPE before each family's samples), and that no counter family appears without a
// daemon. That the text parses with Prometheus's own parser is t80's job (promtool).
#include "nullrelayd/prometheus_text.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "util/text.hpp"

using namespace nullrelay;

namespace {

QueueStats example() {
    QueueStats s;
    s.now = 1'800'000'100;
    s.queued = 1;
    s.deferred = 2;
    s.held = 3;
    s.failed = 4;
    s.maildrop = 5;
    s.oldest_arrival = 1'800'000'000;
    DeliveryCounts c;
    c.started = 1'799'990'000;
    c.delivered = 3;
    c.deferred = 1;
    c.bounced = 1;
    c.failures[static_cast<size_t>(FailureClass::tls)] = 1;
    c.failures[static_cast<size_t>(FailureClass::reply_5xx)] = 1;
    c.connections_opened = 2;
    c.connections_reused = 3;
    c.last_delivery = 1'800'000'050;
    c.latency_count = 5;
    c.latency_sum = 0.25;
    c.latency_median = 0.0475;
    c.latency_p99 = 0.125;
    s.counters = c;
    return s;
}

}  // namespace

TEST_CASE("the exposition names every value once, with HELP and TYPE", "[prometheus]") {
    const std::string text = prometheus_text(example());
    const auto lines = split(text, '\n');
    auto has = [&](const std::string& line) {
        for (const auto& l : lines)
            if (l == line) return true;
        return false;
    };
    CHECK(has("nullrelay_messages{state=\"queued\"} 1"));
    CHECK(has("nullrelay_messages{state=\"deferred\"} 2"));
    CHECK(has("nullrelay_messages{state=\"held\"} 3"));
    CHECK(has("nullrelay_messages{state=\"failed\"} 4"));
    CHECK(has("nullrelay_messages{state=\"maildrop\"} 5"));
    CHECK(has("nullrelay_messages{state=\"active\"} 0"));
    CHECK(has("nullrelay_oldest_message_age_seconds 100"));
    CHECK(has("nullrelay_deliveries_paused 0"));
    CHECK(has("nullrelay_deliveries_total{result=\"delivered\"} 3"));
    CHECK(has("nullrelay_deliveries_total{result=\"deferred\"} 1"));
    CHECK(has("nullrelay_deliveries_total{result=\"bounced\"} 1"));
    CHECK(has("nullrelay_delivery_failures_total{reason=\"tls\"} 1"));
    CHECK(has("nullrelay_delivery_failures_total{reason=\"5xx\"} 1"));
    CHECK(has("nullrelay_delivery_failures_total{reason=\"connection\"} 0"));
    CHECK(has("nullrelay_connections_total{kind=\"opened\"} 2"));
    CHECK(has("nullrelay_connections_total{kind=\"reused\"} 3"));
    CHECK(has("nullrelay_last_delivery_timestamp_seconds 1800000050"));
    CHECK(has("nullrelay_start_time_seconds 1799990000"));
    CHECK(has("nullrelay_smarthost_transaction_seconds{quantile=\"0.5\"} 0.0475"));
    CHECK(has("nullrelay_smarthost_transaction_seconds{quantile=\"0.99\"} 0.125"));
    CHECK(has("nullrelay_smarthost_transaction_seconds_sum 0.25"));
    CHECK(has("nullrelay_smarthost_transaction_seconds_count 5"));
    CHECK(text.back() == '\n');

    // Each family: HELP, then TYPE, then its samples, never interleaved with another's.
    std::set<std::string> seen;
    std::string current;
    for (const auto& l : lines) {
        if (l.empty()) continue;
        if (l.starts_with("# HELP ")) {
            current = split(l, ' ')[2];
            CHECK(seen.insert(current).second);
            continue;
        }
        if (l.starts_with("# TYPE ")) {
            CHECK(split(l, ' ')[2] == current);
            continue;
        }
        INFO(l);
        CHECK(l.starts_with(current));
    }
}

TEST_CASE("without a daemon only the spool's families appear", "[prometheus]") {
    QueueStats s = example();
    s.counters.reset();
    const std::string text = prometheus_text(s);
    CHECK(text.find("nullrelay_messages{state=\"queued\"} 1") != std::string::npos);
    CHECK(text.find("nullrelay_oldest_message_age_seconds 100") != std::string::npos);
    CHECK(text.find("_total") == std::string::npos);
    CHECK(text.find("transaction") == std::string::npos);
}

TEST_CASE("an empty spool has age 0", "[prometheus]") {
    QueueStats s;
    s.now = 1'800'000'000;
    CHECK(prometheus_text(s).find("nullrelay_oldest_message_age_seconds 0\n") != std::string::npos);
}
