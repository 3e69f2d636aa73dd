// mailq output in Postfix's format (postqueue/showq_compat.c, long queue ids), so that
// check_mailq -M postfix and people's habits work unchanged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "envelope.hpp"
#include "spool.hpp"

namespace nullrelay {

struct ListedMessage {
    Envelope envelope;
    Place place = Place::queue;
    bool active = false;  // being delivered now
};

// One word for where a message stands: active (being delivered), queued (waiting for its
// first attempt), deferred (attempted, waiting for the next), held, failed.
std::string_view message_state(const ListedMessage& listed);

std::string format_mailq(const std::vector<ListedMessage>& messages);

}  // namespace nullrelay
