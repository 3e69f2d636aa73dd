// Starting a program and waiting for it: the one way nullrelay runs another process
// (nullrelay-sendmail for sendmail -bs, nullrelayd --once for a flush without a daemon, the
// password_command helper). posix_spawn, no shell.
//
// Threats handled here once for all callers: a child that inherits descriptors it must not
// see (libcurl's sockets, the spool's directories, a pipe meant for someone else): it gets
// only 0, 1 and 2; a child that inherits the daemon's blocked signals or ignored SIGPIPE: it
// gets the defaults.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/result.hpp"

namespace nullrelay {

struct ChildSpec {
    std::vector<std::string> argv;  // argv[0] is the program's absolute path
    // Become the child's 0, 1 and 2; -1 means /dev/null.
    int stdin_fd = -1;
    int stdout_fd = -1;
    int stderr_fd = -1;
    // In a process group of its own, so that kill_child() also reaches what it started.
    bool own_process_group = false;
};

// Starts the child. EX_UNAVAILABLE when the program cannot be run (the message names it).
Result<pid_t> spawn_child(const ChildSpec& spec);

// Waits for the child to end (EINTR is retried): its exit status, or EX_SOFTWARE when a
// signal ended it (*signal, when given, says which; 0 otherwise).
int wait_child(pid_t pid, int* signal = nullptr);

// SIGKILL to the child (and its process group, when it has its own), then wait_child().
void kill_child(pid_t pid, bool own_process_group);

}  // namespace nullrelay
