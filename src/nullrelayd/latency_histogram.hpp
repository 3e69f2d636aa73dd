// A fixed histogram of durations (issue 22: smarthost latency, median and p99) that delivery
// threads add to without a lock: one relaxed atomic increment per sample, a bounded size
// whatever the traffic. Buckets grow by 2^(1/4) (about 19 %) from 1 ms to about 4.6 min; a
// quantile is reported as the upper bound of the bucket it falls in, so it is at most one
// bucket (19 %) above the true value, never below it. Longer samples count in the last bucket.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace nullrelay {

class LatencyHistogram {
  public:
    static constexpr size_t kBuckets = 73;  // 1 ms * 2^(i/4), i = 0..72: up to 262 s

    // The upper bound of bucket i, in seconds.
    static double upper_bound(size_t i);
    // The bucket a duration falls in.
    static size_t bucket_of(double seconds);

    void add(double seconds);
    std::uint64_t count() const;
    double sum() const;  // seconds
    // The q-quantile (0 < q <= 1) in seconds, as the upper bound of its bucket; 0 when empty.
    double quantile(double q) const;

  private:
    std::array<std::atomic<std::uint64_t>, kBuckets> buckets_{};
    std::atomic<std::uint64_t> sum_micros_{0};
};

}  // namespace nullrelay
