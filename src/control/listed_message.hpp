// One message as a queue listing reports it: its envelope, where it is, and whether it is being
// delivered now. What the control socket carries for `list` and `show`, and what every queue
// formatter (mailq, JSON, show) reads.
#pragma once

#include <string_view>

#include "queue/envelope.hpp"
#include "queue/spool.hpp"

namespace nullrelay {

struct ListedMessage {
    Envelope envelope;
    Place place = Place::queue;
    bool active = false;  // being delivered now
};

// One word for where a message stands: active (being delivered), queued (waiting for its
// first attempt), deferred (attempted, waiting for the next), held, failed.
std::string_view message_state(const ListedMessage& listed);

}  // namespace nullrelay
