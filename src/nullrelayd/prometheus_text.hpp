// The Prometheus text exposition format (version 0.0.4) of `nullrelay stats` (issue 22), as
// node_exporter's textfile collector reads it: HELP and TYPE before each family, base units
// (seconds), counters ending in _total, one family per name with labels for its parts:
//   nullrelay_messages{state="queued|deferred|active|held|failed|maildrop|unreadable"}
//   nullrelay_oldest_message_age_seconds
//   nullrelay_deliveries_total{result="delivered|deferred|bounced"}
//   nullrelay_delivery_failures_total{reason="connection|tls|auth|4xx|5xx"}
//   nullrelay_connections_total{kind="opened|reused"}
//   nullrelay_last_delivery_timestamp_seconds   (0: none since start)
//   nullrelay_start_time_seconds
//   nullrelay_smarthost_transaction_seconds{quantile="0.5|0.99"}, _sum, _count (a summary)
// The counter families are left out when the stats have no counters (no daemon).
#pragma once

#include <string>

#include "control/queue_stats.hpp"

namespace nullrelay {

std::string prometheus_text(const QueueStats& stats);

}  // namespace nullrelay
