#include "nullrelayd/secret_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/child_process.hpp"
#include "util/sys_error.hpp"
#include "util/text.hpp"
#include "util/unique_fd.hpp"

namespace nullrelay {

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

Result<std::string> run_secret_command(const std::vector<std::string>& argv,
                                       std::chrono::seconds timeout, std::string_view what) {
    const std::string& program = argv.at(0);
    auto fail = [&](const std::string& why) {
        return Error{EX_TEMPFAIL, fmt::format("{} {}: {}", what, program, why)};
    };
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return fail(errno_text(errno));
    UniqueFd out_r(out[0]), out_w(out[1]);
    if (::pipe2(err, O_CLOEXEC) != 0) return fail(errno_text(errno));
    UniqueFd err_r(err[0]), err_w(err[1]);

    // Its own process group, so that a timeout kills whatever it started too.
    auto pid = spawn_child({.argv = argv,
                            .stdout_fd = out_w.get(),
                            .stderr_fd = err_w.get(),
                            .own_process_group = true});
    if (!pid) return Error{EX_TEMPFAIL, fmt::format("{}: {}", what, pid.error().message)};
    out_w.reset();
    err_w.reset();

    std::string stdout_text, stderr_text;
    std::string trouble;  // why the helper is killed instead of waited for
    const auto deadline = Clock::now() + timeout;
    pollfd fds[2] = {{out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}};
    std::string* sinks[2] = {&stdout_text, &stderr_text};
    while ((fds[0].fd >= 0 || fds[1].fd >= 0) && trouble.empty()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            trouble = fmt::format("no answer within {}s; killed", timeout.count());
            break;
        }
        int n = ::poll(fds, 2, static_cast<int>(left.count()));
        if (n < 0 && errno != EINTR) trouble = fmt::format("poll: {}; killed", errno_text(errno));
        for (int i = 0; i < 2 && n > 0; ++i) {
            if (fds[i].fd < 0 || !fds[i].revents) continue;
            char buf[4096];
            ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
            if (got <= 0) {
                fds[i].fd = -1;
                continue;
            }
            sinks[i]->append(buf, static_cast<size_t>(got));
            if (sinks[i]->size() > kSecretCommandOutputLimit)
                trouble =
                    fmt::format("more than {} bytes of output; killed", kSecretCommandOutputLimit);
        }
    }
    // Never wait for a helper that may not end by itself: a delivery thread would hang.
    if (!trouble.empty()) {
        kill_child(*pid, true);
        return fail(trouble);
    }
    int signal = 0;
    int status = wait_child(*pid, &signal);
    // What the helper says on stderr helps the admin; its stdout is the secret, never shown.
    std::string said = one_line(stderr_text.substr(0, stderr_text.find('\n')).substr(0, 200));
    std::string tail = said.empty() ? "" : fmt::format(" (it said: {})", said);
    if (signal) return fail(fmt::format("killed by signal {}{}", signal, tail));
    if (status != 0) return fail(fmt::format("exit status {}{}", status, tail));
    std::string secret = stdout_text.substr(0, stdout_text.find('\n'));
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    if (secret.empty()) return fail("printed no secret (its first line of output is empty)");
    return secret;
}

}  // namespace nullrelay
