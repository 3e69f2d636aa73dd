// Counts the messages in the spool by state, and finds the oldest (issue 22): what `nullrelay
// stats` and the metrics file report about the queue. The same code in the daemon (event loop,
// which knows what is in flight) and in the admin program without a daemon, as for mailq.
// Costs a directory listing per place; held, failed and maildrop/ are counted by name alone.
// Queued or deferred is in the envelope: read, unless `deliveries` knows (the daemon does).
#pragma once

#include <cstdint>

#include "control/queue_commands.hpp"
#include "control/queue_stats.hpp"
#include "queue/spool.hpp"

namespace nullrelay {

// Counters are left unset: they are the daemon's to add.
QueueStats count_queue(const Spool& spool, const DeliveryState& deliveries, std::int64_t now);

}  // namespace nullrelay
