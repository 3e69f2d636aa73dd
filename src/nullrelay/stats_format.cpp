#include "nullrelay/stats_format.hpp"

#include <ctime>

#include <fmt/format.h>

namespace nullrelay {

namespace {

std::string utc(std::int64_t when) {
    std::time_t t = static_cast<std::time_t>(when);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

std::string duration(std::int64_t s) {
    if (s < 60) return fmt::format("{}s", s);
    if (s < 3600) return fmt::format("{}m {}s", s / 60, s % 60);
    if (s < 86400) return fmt::format("{}h {}m", s / 3600, s % 3600 / 60);
    return fmt::format("{}d {}h", s / 86400, s % 86400 / 3600);
}

std::string seconds(double s) {
    return s < 1 ? fmt::format("{:.0f} ms", s * 1000) : fmt::format("{:.2f} s", s);
}

}  // namespace

std::string stats_text(const QueueStats& s) {
    std::string out = fmt::format(
        "messages: {} (queued {}, deferred {}, active {}, held {}, failed {}, maildrop {})\n",
        s.total(), s.queued, s.deferred, s.active, s.held, s.failed, s.maildrop);
    if (s.unreadable) out += fmt::format("unreadable queue files: {}\n", s.unreadable);
    if (s.paused_since)
        out += fmt::format("deliveries: paused since {} (nullrelay resume)\n", utc(s.paused_since));
    if (s.oldest_arrival)
        out += fmt::format("oldest message: {} old (arrived {})\n", duration(s.oldest_age()),
                           utc(s.oldest_arrival));
    else
        out += "oldest message: none\n";
    if (!s.counters) {
        out += "counters: unavailable (nullrelayd is not running; counted from the spool)\n";
        return out;
    }
    const DeliveryCounts& c = *s.counters;
    out += fmt::format("since nullrelayd started ({}, {} ago):\n", utc(c.started),
                       duration(s.now - c.started));
    out += fmt::format("  recipients: delivered {}, deferred {}, bounced {}\n", c.delivered,
                       c.deferred, c.bounced);
    out += "  not delivered, by reason:";
    for (size_t i = 0; i < kFailureClasses; ++i)
        out += fmt::format("{} {} {}", i ? "," : "", kFailureClassNames[i], c.failures[i]);
    out += '\n';
    out += fmt::format("  connections: {} opened, {} reused\n", c.connections_opened,
                       c.connections_reused);
    if (c.last_delivery)
        out += fmt::format("  last delivery: {} ({} ago)\n", utc(c.last_delivery),
                           duration(s.now - c.last_delivery));
    else
        out += "  last delivery: none since start\n";
    if (c.latency_count)
        out += fmt::format("  smarthost transaction time: median {}, p99 {} ({} transactions)\n",
                           seconds(c.latency_median), seconds(c.latency_p99), c.latency_count);
    else
        out += "  smarthost transaction time: no transaction yet\n";
    return out;
}

std::string stats_json(const QueueStats& s) {
    std::string out = fmt::format(
        "{{\"time\":{},\"messages\":{{\"queued\":{},\"deferred\":{},\"active\":{},\"held\":{},"
        "\"failed\":{},\"maildrop\":{},\"unreadable\":{}}},\"oldest_message_age_seconds\":{},"
        "\"paused_since\":{},",
        s.now, s.queued, s.deferred, s.active, s.held, s.failed, s.maildrop, s.unreadable,
        s.oldest_age(), s.paused_since ? std::to_string(s.paused_since) : "null");
    if (!s.counters) return out + "\"counters\":null}\n";
    const DeliveryCounts& c = *s.counters;
    std::string reasons;
    for (size_t i = 0; i < kFailureClasses; ++i)
        reasons += fmt::format("{}\"{}\":{}", i ? "," : "", kFailureClassNames[i], c.failures[i]);
    out += fmt::format(
        "\"counters\":{{\"started\":{},\"delivered\":{},\"deferred\":{},\"bounced\":{},"
        "\"failures\":{{{}}},\"connections_opened\":{},\"connections_reused\":{},"
        "\"last_delivery\":{},\"smarthost_transaction_seconds\":{{\"count\":{},\"sum\":{},"
        "\"median\":{},\"p99\":{}}}}}}}\n",
        c.started, c.delivered, c.deferred, c.bounced, reasons, c.connections_opened,
        c.connections_reused, c.last_delivery ? std::to_string(c.last_delivery) : "null",
        c.latency_count, c.latency_sum, c.latency_median, c.latency_p99);
    return out;
}

}  // namespace nullrelay
