// What `nullrelay stats` and the Prometheus text file report (issue 22): the messages by state
// and the age of the oldest, which anyone can count from the spool, and the daemon's delivery
// counters since it started, which only a running nullrelayd knows. The control socket carries
// them as name/value pairs (`stat <name> <value>` records: stats_fields, stats_from_fields).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.hpp"

namespace nullrelay {

// Why an attempt did not deliver a recipient: no connection (or it broke), TLS, AUTH, a 4xx or
// a 5xx reply from the smarthost.
enum class FailureClass { connection, tls, auth, reply_4xx, reply_5xx };
inline constexpr std::array<std::string_view, 5> kFailureClassNames = {"connection", "tls", "auth",
                                                                       "4xx", "5xx"};
inline constexpr size_t kFailureClasses = kFailureClassNames.size();

// The daemon's counters since it started (per recipient line of the log).
struct DeliveryCounts {
    std::int64_t started = 0;  // seconds since the epoch
    std::uint64_t delivered = 0, deferred = 0, bounced = 0;
    std::array<std::uint64_t, kFailureClasses> failures{};  // by FailureClass
    std::uint64_t connections_opened = 0, connections_reused = 0;
    std::int64_t last_delivery = 0;  // seconds since the epoch; 0: none since start
    // SMTP transactions with the smarthost, timed from the first byte to the last reply.
    std::uint64_t latency_count = 0;
    double latency_sum = 0;     // seconds
    double latency_median = 0;  // seconds (bucket upper bound); 0 without a transaction
    double latency_p99 = 0;     // seconds
    bool operator==(const DeliveryCounts&) const = default;
};

struct QueueStats {
    std::int64_t now = 0;  // seconds since the epoch, when counted
    // By state (listed_message.hpp): never attempted, attempted and waiting, being delivered,
    // on hold, failed for good, submitted and not yet picked up.
    std::uint64_t queued = 0, deferred = 0, active = 0, held = 0, failed = 0, maildrop = 0;
    std::uint64_t unreadable = 0;     // queue files that could not be read (not in the above)
    std::int64_t oldest_arrival = 0;  // seconds since the epoch; 0: no message
    std::int64_t paused_since = 0;    // deliveries paused by the admin since then; 0: not paused
    std::optional<DeliveryCounts> counters;  // only from a running daemon
    bool operator==(const QueueStats&) const = default;

    std::uint64_t total() const { return queued + deferred + active + held + failed + maildrop; }
    std::int64_t oldest_age() const { return oldest_arrival ? now - oldest_arrival : 0; }
};

// The arrival time (seconds since the epoch) that a queue id spells, or 0 for a bad id.
std::int64_t queue_id_arrival(std::string_view id);

using StatsFields = std::vector<std::pair<std::string, std::string>>;
StatsFields stats_fields(const QueueStats& stats);
// The reverse; unknown names are ignored (a newer daemon may say more), bad values refused.
Result<QueueStats> stats_from_fields(const StatsFields& fields);

}  // namespace nullrelay
