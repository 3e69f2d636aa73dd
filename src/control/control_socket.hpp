// The daemon's control socket, <spool>/control: a Unix stream socket, one request and one
// reply per connection (control_protocol.hpp).
//
// SECURITY: the socket is mode 0666 so that any local user can run mailq: with queue files
// 0600 in 0700 directories, asking the daemon is the only way a user can see their own
// messages. Being able to connect grants nothing by itself: the daemon identifies the caller
// from the kernel (SO_PEERCRED and SO_PEERGROUPS, taken at connect time and not forgeable)
// and decides per request what it may do (control_access.hpp). The client trusts the socket
// because only the spool's owner can create it there (the spool root is not writable by
// others).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace nullrelay {

// Binds and listens (non-blocking), replacing a socket left by a previous run (the caller
// holds the spool lock, so no other daemon uses it).
Result<UniqueFd> listen_control_socket(const std::string& path);

// Fails with EX_UNAVAILABLE when no daemon listens.
Result<UniqueFd> connect_control_socket(const std::string& path);

struct PeerCredentials {
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::vector<std::uint32_t> groups;  // supplementary groups
    pid_t pid = 0;
};
Result<PeerCredentials> peer_credentials(int socket_fd);

// One sendmsg() that passes fd_to_pass (when >= 0) along with the data. Returns what
// sendmsg returns (never raises SIGPIPE).
ssize_t send_with_fd(int socket_fd, std::string_view data, int fd_to_pass);
// One recvmsg(); descriptors that came along are appended to fds (close-on-exec).
ssize_t receive_with_fds(int socket_fd, char* buffer, size_t size, std::vector<UniqueFd>& fds);

}  // namespace nullrelay
