// The admin program's queue subcommands: what each asks for (queue_client.hpp) and how it
// shows the answer. Each returns the program's exit status (sysexits): 0 when every message
// went as asked, else the status of the first one that did not (EX_NOINPUT unknown id,
// EX_TEMPFAIL being delivered or still deferred, EX_UNAVAILABLE failed, EX_DATAERR a corrupt
// queue file, EX_USAGE a command that does not apply to a message); a refused request
// (EX_NOPERM, EX_UNAVAILABLE no daemon for a non-root user...) ends with its own status.
#pragma once

#include <string>

#include "config/config.hpp"
#include "control/queue_commands.hpp"

namespace nullrelay {

struct AdminContext {
    const Config& config;
    std::string config_path;
};

// mailq, nullrelay queue [--json]: Postfix's format, or one JSON object per line.
int list_queue(const AdminContext& ctx, const Selection& selection, bool json);
// nullrelay show ID [--body]
int show_message(const AdminContext& ctx, const std::string& id, bool with_body);
// flush, hold, release, delete, requeue. A delete of everything or by pattern needs `yes`,
// or a confirmation typed on the terminal.
int change_queue(const AdminContext& ctx, Request request, bool yes);

}  // namespace nullrelay
