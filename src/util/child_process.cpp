#include "util/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <sysexits.h>

#include <fmt/format.h>

#include "util/sys_error.hpp"

extern char** environ;

namespace nullrelay {

namespace {

struct SpawnAttrs {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    SpawnAttrs() {
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_init(&actions);
    }
    ~SpawnAttrs() {
        posix_spawnattr_destroy(&attr);
        posix_spawn_file_actions_destroy(&actions);
    }
    SpawnAttrs(const SpawnAttrs&) = delete;
    SpawnAttrs& operator=(const SpawnAttrs&) = delete;
};

}  // namespace

Result<pid_t> spawn_child(const ChildSpec& spec) {
    const std::string& program = spec.argv.at(0);
    SpawnAttrs s;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&s.attr, &none);
    posix_spawnattr_setsigdefault(&s.attr, &all);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (spec.own_process_group) {
        posix_spawnattr_setpgroup(&s.attr, 0);
        flags |= POSIX_SPAWN_SETPGROUP;
    }
    posix_spawnattr_setflags(&s.attr, flags);
    const int from[3] = {spec.stdin_fd, spec.stdout_fd, spec.stderr_fd};
    for (int target = 0; target < 3; ++target) {
        if (from[target] < 0)
            posix_spawn_file_actions_addopen(&s.actions, target, "/dev/null",
                                             target == 0 ? O_RDONLY : O_WRONLY, 0);
        else
            posix_spawn_file_actions_adddup2(&s.actions, from[target], target);
    }
    // Nothing but 0-2 crosses into the child, whatever was opened without O_CLOEXEC.
    posix_spawn_file_actions_addclosefrom_np(&s.actions, 3);
    std::vector<char*> args;
    for (const auto& a : spec.argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    if (int rc = ::posix_spawn(&pid, program.c_str(), &s.actions, &s.attr, args.data(), environ);
        rc != 0)
        return Error{EX_UNAVAILABLE, fmt::format("cannot run {}: {}", program, errno_text(rc))};
    return pid;
}

int wait_child(pid_t pid, int* signal) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return EX_SOFTWARE;
    if (signal) *signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : EX_SOFTWARE;
}

void kill_child(pid_t pid, bool own_process_group) {
    ::kill(own_process_group ? -pid : pid, SIGKILL);
    wait_child(pid);
}

}  // namespace nullrelay
