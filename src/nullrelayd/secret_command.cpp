#include "nullrelayd/secret_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/sys_error.hpp"
#include "util/text.hpp"
#include "util/unique_fd.hpp"

extern char** environ;

namespace nullrelay {

namespace {

using Clock = std::chrono::steady_clock;

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
};

}  // namespace

Result<std::string> run_secret_command(const std::vector<std::string>& argv,
                                       std::chrono::seconds timeout) {
    const std::string& program = argv.at(0);
    auto fail = [&](const std::string& why) {
        return Error{EX_TEMPFAIL, fmt::format("password_command {}: {}", program, why)};
    };
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return fail(errno_text(errno));
    UniqueFd out_r(out[0]), out_w(out[1]);
    if (::pipe2(err, O_CLOEXEC) != 0) return fail(errno_text(errno));
    UniqueFd err_r(err[0]), err_w(err[1]);

    SpawnAttrs s;
    // The daemon blocks its signals (signalfd) and ignores SIGPIPE; the helper gets defaults.
    // Its own process group, so that a timeout kills whatever it started too.
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&s.attr, &none);
    posix_spawnattr_setsigdefault(&s.attr, &all);
    posix_spawnattr_setpgroup(&s.attr, 0);
    posix_spawnattr_setflags(
        &s.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&s.actions, out_w.get(), 1);
    posix_spawn_file_actions_adddup2(&s.actions, err_w.get(), 2);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    if (int rc = ::posix_spawn(&pid, program.c_str(), &s.actions, &s.attr, args.data(), environ);
        rc != 0)
        return fail(fmt::format("cannot run it: {}", errno_text(rc)));
    out_w.reset();
    err_w.reset();

    std::string stdout_text, stderr_text;
    bool timed_out = false, flooded = false;
    const auto deadline = Clock::now() + timeout;
    pollfd fds[2] = {{out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}};
    std::string* sinks[2] = {&stdout_text, &stderr_text};
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        int n = ::poll(fds, 2, static_cast<int>(left.count()));
        if (n < 0 && errno != EINTR) break;
        for (int i = 0; i < 2 && n > 0; ++i) {
            if (fds[i].fd < 0 || !fds[i].revents) continue;
            char buf[4096];
            ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
            if (got <= 0) {
                fds[i].fd = -1;
                continue;
            }
            sinks[i]->append(buf, static_cast<size_t>(got));
            if (sinks[i]->size() > kSecretCommandOutputLimit) flooded = true;
        }
        if (flooded) break;
    }
    if (timed_out || flooded) ::kill(-pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    // What the helper says on stderr helps the admin; its stdout is the secret, never shown.
    std::string said = one_line(stderr_text.substr(0, stderr_text.find('\n')).substr(0, 200));
    std::string tail = said.empty() ? "" : fmt::format(" (it said: {})", said);
    if (timed_out) return fail(fmt::format("no answer within {}s; killed", timeout.count()));
    if (flooded)
        return fail(fmt::format("more than {} bytes of output; killed", kSecretCommandOutputLimit));
    if (WIFSIGNALED(status))
        return fail(fmt::format("killed by signal {}{}", WTERMSIG(status), tail));
    if (WEXITSTATUS(status) != 0)
        return fail(fmt::format("exit status {}{}", WEXITSTATUS(status), tail));
    std::string secret = stdout_text.substr(0, stdout_text.find('\n'));
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    if (secret.empty()) return fail("printed no secret (its first line of output is empty)");
    return secret;
}

}  // namespace nullrelay
