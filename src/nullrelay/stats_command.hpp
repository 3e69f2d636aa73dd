// `nullrelay stats [--json]` (issue 22): asks nullrelayd over the control socket (any user:
// counts and counters name no message, address or content), or, without a daemon, root counts
// the spool itself as mailq does, and the counters are reported unavailable.
#pragma once

#include "nullrelay/admin_queue.hpp"

namespace nullrelay {

int show_stats(const AdminContext& ctx, bool json);

}  // namespace nullrelay
