#include "control/queue_census.hpp"

#include <algorithm>

namespace nullrelay {

QueueStats count_queue(const Spool& spool, const DeliveryState& deliveries, std::int64_t now) {
    QueueStats s;
    s.now = now;
    auto saw = [&](const std::string& id) {
        const std::int64_t arrival = queue_id_arrival(id);
        if (arrival && (!s.oldest_arrival || arrival < s.oldest_arrival))
            s.oldest_arrival = arrival;
    };
    for (const std::string& id : spool.list(Place::queue)) {
        saw(id);
        if (deliveries.in_flight(id)) {
            ++s.active;
            continue;
        }
        if (auto known = deliveries.attempted(id)) {
            ++(*known ? s.deferred : s.queued);
            continue;
        }
        auto env = spool.load(Place::queue, id);
        if (!env)
            ++s.unreadable;
        else if (env->attempts > 0)
            ++s.deferred;
        else
            ++s.queued;
    }
    for (const std::string& id : spool.list(Place::hold)) {
        saw(id);
        ++s.held;
    }
    for (const std::string& id : spool.list(Place::failed)) {
        saw(id);
        ++s.failed;
    }
    for (const std::string& id : spool.maildrop().complete_ids()) {
        saw(id);
        ++s.maildrop;
    }
    if (auto pause = spool.pause_state(); pause && *pause) s.paused_since = (*pause)->since;
    return s;
}

}  // namespace nullrelay
