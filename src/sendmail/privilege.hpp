// Process hygiene for programs that start with a privilege (the setgid submission program):
// the first call in main, before anything reads input. Threats: a caller that closes fds 0-2
// so that a file we open lands on them, sets a hostile environment (LD_*, TZ, locale), or a
// permissive umask.
#pragma once

#include "util/result.hpp"

namespace nullrelay {

// Makes sure fds 0, 1 and 2 are open (on /dev/null if not), sets umask 027, and clears the
// environment down to PATH=/usr/bin:/bin.
void sanitize_process();

// Drops the setgid group for good (real, effective and saved gid := real gid) and checks that
// it cannot be regained.
Status drop_group_privilege();

}  // namespace nullrelay
