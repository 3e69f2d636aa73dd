#include "nullrelayd/delivery_counters.hpp"

namespace nullrelay {

void DeliveryCounters::recipient(Verdict verdict, FailureClass why) {
    switch (verdict) {
        case Verdict::sent:
            delivered_.fetch_add(1, std::memory_order_relaxed);
            return;
        case Verdict::deferred:
            deferred_.fetch_add(1, std::memory_order_relaxed);
            break;
        case Verdict::bounced:
            bounced_.fetch_add(1, std::memory_order_relaxed);
            break;
    }
    failures_[static_cast<size_t>(why)].fetch_add(1, std::memory_order_relaxed);
}

void DeliveryCounters::connection(bool reused) {
    (reused ? reused_ : opened_).fetch_add(1, std::memory_order_relaxed);
}

void DeliveryCounters::delivered_at(std::int64_t when) {
    std::int64_t seen = last_delivery_.load(std::memory_order_relaxed);
    while (seen < when &&
           !last_delivery_.compare_exchange_weak(seen, when, std::memory_order_relaxed)) {
    }
}

DeliveryCounts DeliveryCounters::snapshot() const {
    DeliveryCounts c;
    c.started = started_;
    c.delivered = delivered_.load(std::memory_order_relaxed);
    c.deferred = deferred_.load(std::memory_order_relaxed);
    c.bounced = bounced_.load(std::memory_order_relaxed);
    for (size_t i = 0; i < kFailureClasses; ++i)
        c.failures[i] = failures_[i].load(std::memory_order_relaxed);
    c.connections_opened = opened_.load(std::memory_order_relaxed);
    c.connections_reused = reused_.load(std::memory_order_relaxed);
    c.last_delivery = last_delivery_.load(std::memory_order_relaxed);
    c.latency_count = latency_.count();
    c.latency_sum = latency_.sum();
    c.latency_median = latency_.quantile(0.5);
    c.latency_p99 = latency_.quantile(0.99);
    return c;
}

}  // namespace nullrelay
