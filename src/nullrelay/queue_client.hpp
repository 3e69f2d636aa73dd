// How the admin program reaches the queue, the one safe way for each case:
// - nullrelayd runs: the request goes over the control socket and the daemon runs it in its
//   event loop (it knows which messages are being delivered). The only way for a user who is
//   not root.
// - no daemon: root acts on the spool directly, as the spool's owner (so every file it
//   writes stays the daemon's) and holding the spool lock (so that no daemon starts moving
//   messages meanwhile). A flush then runs `nullrelayd --once` and reports what it did.
//
// SECURITY: not privileged. Run by root, it gives up root for the spool owner's uid and gid
// before it touches the spool. It never reads credentials; content is read for show only.
#pragma once

#include <string>

#include "config/config.hpp"
#include "control/queue_commands.hpp"
#include "queue/spool_layout.hpp"
#include "util/result.hpp"

namespace nullrelay {

// Runs the request and feeds the reply to sink. An Error refuses the whole request
// (daemon down for a non-root user, permission denied, spool unreadable...); the outcome of
// each message comes through sink.result().
Status run_queue_request(const Config& config, const std::string& config_path,
                         const Request& request, ReplySink& sink);

// Root gives up root for the spool's owner (the daemon's user and group) for good: files it
// writes stay the daemon's, and a mistake cannot reach beyond what the daemon may touch.
// Nothing to do for the owner itself.
Status become_spool_owner(const SpoolLayout& layout);

}  // namespace nullrelay
