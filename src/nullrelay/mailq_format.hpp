// mailq output in Postfix's format (postqueue/showq_compat.c, long queue ids), so that
// check_mailq -M postfix and people's habits work unchanged.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/listed_message.hpp"
#include "queue/delivery_pause.hpp"

namespace nullrelay {

// A pause of deliveries comes first, on a line of its own (check_mailq reads past it).
std::string format_mailq(const std::vector<ListedMessage>& messages,
                         const std::optional<DeliveryPause>& pause = std::nullopt);

}  // namespace nullrelay
