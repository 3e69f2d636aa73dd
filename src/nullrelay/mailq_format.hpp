// mailq output in Postfix's format (postqueue/showq_compat.c, long queue ids), so that
// check_mailq -M postfix and people's habits work unchanged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "control/listed_message.hpp"

namespace nullrelay {

std::string format_mailq(const std::vector<ListedMessage>& messages);

}  // namespace nullrelay
