// Tests for latency_histogram.hpp: bucket bounds, the nearest-rank quantile (never below the
// true value, at most one bucket above it), and concurrent adds losing nothing.
#include "nullrelayd/latency_histogram.hpp"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

using namespace nullrelay;

TEST_CASE("every duration falls in the first bucket whose upper bound holds it", "[histogram]") {
    for (double s : {0.0, 0.0005, 0.001, 0.00101, 0.0123, 0.5, 1.0, 3.7, 42.0, 200.0}) {
        size_t i = LatencyHistogram::bucket_of(s);
        INFO(s);
        CHECK(LatencyHistogram::upper_bound(i) >= s);
        if (i > 0) CHECK(LatencyHistogram::upper_bound(i - 1) < s);
    }
    CHECK(LatencyHistogram::bucket_of(1e9) == LatencyHistogram::kBuckets - 1);
    CHECK(LatencyHistogram::bucket_of(-1) == 0);
    CHECK(LatencyHistogram::upper_bound(LatencyHistogram::kBuckets - 1) > 260);
}

TEST_CASE("an empty histogram reports 0", "[histogram]") {
    LatencyHistogram h;
    CHECK(h.count() == 0);
    CHECK(h.quantile(0.5) == 0);
    CHECK(h.quantile(0.99) == 0);
}

TEST_CASE("median and p99 are within one bucket above the true values", "[histogram]") {
    LatencyHistogram h;
    // 1..1000 ms: the true median is 500 ms, the true p99 990 ms.
    for (int ms = 1; ms <= 1000; ++ms)
        h.add(ms / 1000.0);
    CHECK(h.count() == 1000);
    CHECK(h.sum() == Approx(500.5).epsilon(1e-3));
    const double median = h.quantile(0.5), p99 = h.quantile(0.99);
    CHECK(median >= 0.5);
    CHECK(median <= 0.5 * 1.19);
    CHECK(p99 >= 0.99);
    CHECK(p99 <= 0.99 * 1.19);
    CHECK(h.quantile(1.0) >= 1.0);
}

TEST_CASE("a few slow transactions move p99, not the median", "[histogram]") {
    LatencyHistogram h;
    for (int i = 0; i < 98; ++i)
        h.add(0.020);
    h.add(30);
    h.add(30);
    CHECK(h.quantile(0.5) == LatencyHistogram::upper_bound(LatencyHistogram::bucket_of(0.020)));
    CHECK(h.quantile(0.99) >= 30);
}

TEST_CASE("concurrent adds are all counted", "[histogram]") {
    LatencyHistogram h;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&h, t] {
            for (int i = 0; i < 10000; ++i)
                h.add(0.001 * (1 + (i + t) % 50));
        });
    for (auto& t : threads)
        t.join();
    CHECK(h.count() == 40000);
}
