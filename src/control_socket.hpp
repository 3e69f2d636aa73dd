// The daemon's control socket, <spool>/control: a Unix datagram socket on which the admin
// program asks for work ("flush", "flush ID...") without waiting for a timer. Only root and
// the daemon's user can write to it (mode 0600).
#pragma once

#include <string>

#include "result.hpp"
#include "unique_fd.hpp"

namespace nullrelay {

Result<UniqueFd> bind_control_socket(const std::string& path);
// Fails with EX_UNAVAILABLE when no daemon listens.
Status send_control_message(const std::string& path, std::string_view message);

}  // namespace nullrelay
