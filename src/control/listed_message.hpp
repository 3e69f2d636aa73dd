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
    bool active = false;       // being delivered now
    bool in_maildrop = false;  // submitted, not yet picked up: the envelope is sendmail's
};

// One word for where a message stands: active (being delivered), queued (waiting for its
// first attempt), deferred (attempted, waiting for the next), held, failed, maildrop
// (submitted, not yet picked up).
std::string_view message_state(const ListedMessage& listed);
// Where it is: queue, hold, failed or maildrop.
std::string_view message_place(const ListedMessage& listed);

}  // namespace nullrelay
