#include "nullrelayd/prometheus_text.hpp"

#include <fmt/format.h>

namespace nullrelay {

namespace {

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

template <typename T>
void sample(std::string& out, std::string_view name, std::string_view labels, T value) {
    if (labels.empty())
        out += fmt::format("{} {}\n", name, value);
    else
        out += fmt::format("{}{{{}}} {}\n", name, labels, value);
}

}  // namespace

std::string prometheus_text(const QueueStats& s) {
    std::string out;
    family(out, "nullrelay_messages", "gauge",
           "Messages in the spool by state (maildrop: submitted, not yet picked up).");
    const std::pair<std::string_view, std::uint64_t> states[] = {
        {"queued", s.queued},        {"deferred", s.deferred},
        {"active", s.active},        {"held", s.held},
        {"failed", s.failed},        {"maildrop", s.maildrop},
        {"unreadable", s.unreadable}};
    for (const auto& [state, n] : states)
        sample(out, "nullrelay_messages", fmt::format("state=\"{}\"", state), n);
    family(out, "nullrelay_oldest_message_age_seconds", "gauge",
           "Age of the oldest message in the spool, any state (0: none).");
    sample(out, "nullrelay_oldest_message_age_seconds", "", s.oldest_age());
    family(out, "nullrelay_deliveries_paused", "gauge",
           "1 while the admin has paused deliveries (nullrelay pause), else 0.");
    sample(out, "nullrelay_deliveries_paused", "", s.paused_since ? 1 : 0);
    if (!s.counters) return out;
    const DeliveryCounts& c = *s.counters;

    family(out, "nullrelay_deliveries_total", "counter",
           "Recipient deliveries attempted since nullrelayd started, by result.");
    sample(out, "nullrelay_deliveries_total", "result=\"delivered\"", c.delivered);
    sample(out, "nullrelay_deliveries_total", "result=\"deferred\"", c.deferred);
    sample(out, "nullrelay_deliveries_total", "result=\"bounced\"", c.bounced);
    family(out, "nullrelay_delivery_failures_total", "counter",
           "Recipients deferred or bounced by an attempt, by reason.");
    for (size_t i = 0; i < kFailureClasses; ++i)
        sample(out, "nullrelay_delivery_failures_total",
               fmt::format("reason=\"{}\"", kFailureClassNames[i]), c.failures[i]);
    family(out, "nullrelay_connections_total", "counter",
           "SMTP connections to a smarthost, set up anew or reused.");
    sample(out, "nullrelay_connections_total", "kind=\"opened\"", c.connections_opened);
    sample(out, "nullrelay_connections_total", "kind=\"reused\"", c.connections_reused);
    family(out, "nullrelay_last_delivery_timestamp_seconds", "gauge",
           "When a recipient was last delivered (0: not since nullrelayd started).");
    sample(out, "nullrelay_last_delivery_timestamp_seconds", "", c.last_delivery);
    family(out, "nullrelay_start_time_seconds", "gauge", "When nullrelayd started.");
    sample(out, "nullrelay_start_time_seconds", "", c.started);
    family(out, "nullrelay_smarthost_transaction_seconds", "summary",
           "SMTP transactions with the smarthost, from the first command to the last reply.");
    sample(out, "nullrelay_smarthost_transaction_seconds", "quantile=\"0.5\"", c.latency_median);
    sample(out, "nullrelay_smarthost_transaction_seconds", "quantile=\"0.99\"", c.latency_p99);
    sample(out, "nullrelay_smarthost_transaction_seconds_sum", "", c.latency_sum);
    sample(out, "nullrelay_smarthost_transaction_seconds_count", "", c.latency_count);
    return out;
}

}  // namespace nullrelay
