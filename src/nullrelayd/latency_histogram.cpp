#include "nullrelayd/latency_histogram.hpp"

#include <cmath>

namespace nullrelay {

double LatencyHistogram::upper_bound(size_t i) {
    return 0.001 * std::exp2(static_cast<double>(i) / 4.0);
}

size_t LatencyHistogram::bucket_of(double seconds) {
    if (!(seconds > 0.001)) return 0;  // NaN and negative too
    // The smallest i with 1 ms * 2^(i/4) >= seconds; rounding may land one off: fix it.
    auto i = static_cast<size_t>(std::ceil(4.0 * std::log2(seconds / 0.001)));
    if (i >= kBuckets) return kBuckets - 1;
    while (i > 0 && upper_bound(i - 1) >= seconds)
        --i;
    while (i + 1 < kBuckets && upper_bound(i) < seconds)
        ++i;
    return i;
}

void LatencyHistogram::add(double seconds) {
    buckets_[bucket_of(seconds)].fetch_add(1, std::memory_order_relaxed);
    if (seconds > 0)
        sum_micros_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

std::uint64_t LatencyHistogram::count() const {
    std::uint64_t n = 0;
    for (const auto& b : buckets_)
        n += b.load(std::memory_order_relaxed);
    return n;
}

double LatencyHistogram::sum() const {
    return static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
}

double LatencyHistogram::quantile(double q) const {
    std::array<std::uint64_t, kBuckets> counts;
    std::uint64_t total = 0;
    for (size_t i = 0; i < kBuckets; ++i)
        total += counts[i] = buckets_[i].load(std::memory_order_relaxed);
    if (total == 0) return 0;
    // The rank of the q-quantile, nearest-rank method: ceil(q * n), at least 1.
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total)));
    if (rank < 1) rank = 1;
    std::uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
        seen += counts[i];
        if (seen >= rank) return upper_bound(i);
    }
    return upper_bound(kBuckets - 1);
}

}  // namespace nullrelay
