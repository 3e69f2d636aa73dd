// Queue ids: 13 hex digits of microseconds since the epoch and 3 random hex digits, upper case.
// Fixed width, so they sort by arrival time; only [0-9A-F], so they are safe as file names;
// 16 characters, so they fit Postfix's long-id mailq column with the status mark.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace nullrelay {

std::string new_queue_id(std::chrono::system_clock::time_point now);
bool is_valid_queue_id(std::string_view id);

}  // namespace nullrelay
