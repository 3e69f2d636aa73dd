// Every name under the spool root, in one place (docs/queue.md, "Layout"). Programs outside the
// queue folder get paths from here and hand them to the queue module (or, for the control
// socket, to the socket code); none spells a spool path itself.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace nullrelay {

// The directories of the spool.
enum class SpoolDir { maildrop, data, queue, hold, failed, corrupt };
std::string_view to_string(SpoolDir dir);
inline constexpr SpoolDir kAllSpoolDirs[] = {SpoolDir::maildrop, SpoolDir::data,
                                             SpoolDir::queue,    SpoolDir::hold,
                                             SpoolDir::failed,   SpoolDir::corrupt};

class SpoolLayout {
  public:
    explicit SpoolLayout(std::string root) : root_(std::move(root)) {}

    const std::string& root() const { return root_; }
    std::string path(SpoolDir dir) const;
    // The daemon's control socket (control/control_socket.hpp).
    std::string control_socket() const { return root_ + "/control"; }
    // The flock that one process at a time holds to move queued messages (Spool::lock).
    std::string lock_file() const { return root_ + "/lock"; }
    // Deliveries paused by the admin (queue/delivery_pause.hpp), while it exists.
    std::string pause_file() const { return root_ + "/paused"; }

    // Who owns the spool (the daemon's user and group), from queue/: the admin program
    // becomes them before it touches the spool without a daemon.
    struct Owner {
        uid_t uid = 0;
        gid_t gid = 0;
    };
    Result<Owner> owner() const;

  private:
    std::string root_;
};

}  // namespace nullrelay
