// nullrelayd's delivery counters since it started (issue 22), added to by the delivery threads
// and read by the event loop (`nullrelay stats`, the metrics file). Relaxed atomics only: a
// few increments per recipient line next to an SMTP transaction, nothing measurable; a
// snapshot may be a moment inconsistent across counters (never within one).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "control/queue_stats.hpp"
#include "nullrelayd/delivery_outcome.hpp"
#include "nullrelayd/latency_histogram.hpp"

namespace nullrelay {

class DeliveryCounters {
  public:
    explicit DeliveryCounters(std::int64_t started) : started_(started) {}

    // One recipient line of the log: its verdict and, unless sent, why (failure_class.hpp).
    void recipient(Verdict verdict, FailureClass why);
    // A recipient that expired in the queue (dsn 4.4.7): bounced, no attempt's fault.
    void expired() { bounced_.fetch_add(1, std::memory_order_relaxed); }
    // A connection set up for an attempt (the smarthost answered EHLO), or one reused.
    void connection(bool reused);
    // One SMTP transaction with the smarthost: from its start to the last reply.
    void transaction(double seconds) { latency_.add(seconds); }
    // A recipient was delivered at `when` (seconds since the epoch).
    void delivered_at(std::int64_t when);

    DeliveryCounts snapshot() const;

  private:
    std::int64_t started_;
    std::atomic<std::uint64_t> delivered_{0}, deferred_{0}, bounced_{0};
    std::array<std::atomic<std::uint64_t>, kFailureClasses> failures_{};
    std::atomic<std::uint64_t> opened_{0}, reused_{0};
    std::atomic<std::int64_t> last_delivery_{0};
    LatencyHistogram latency_;
};

}  // namespace nullrelay
