#include "nullrelay/oauth2_admin.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "nullrelay/queue_client.hpp"
#include "queue/spool_layout.hpp"
#include "util/child_process.hpp"
#include "util/program_path.hpp"

namespace nullrelay {

bool may_act_as_daemon(const Config& config) {
    if (::geteuid() == 0) return true;
    auto owner = SpoolLayout(config.spool_dir).owner();
    return owner && owner->uid == ::geteuid();
}

int run_daemon_oauth2(const Config& config, const std::string& config_path,
                      std::string_view command) {
    auto fail = [](const Error& e) {
        std::fprintf(stderr, "nullrelay: %s\n", e.message.c_str());
        return e.exit_code;
    };
    if (!may_act_as_daemon(config))
        return fail({EX_NOPERM, fmt::format("`nullrelay oauth2 {}` needs root (or the owner of "
                                            "the spool {}, the daemon's user)",
                                            command, config.spool_dir)});
    if (Status st = become_spool_owner(SpoolLayout(config.spool_dir)); !st) return fail(st.error());
    auto pid = spawn_child(
        {.argv = {sibling_program("nullrelayd"), "-C", config_path, "oauth2", std::string(command)},
         .stdin_fd = STDIN_FILENO,
         .stdout_fd = STDOUT_FILENO,
         .stderr_fd = STDERR_FILENO});
    if (!pid) return fail(pid.error());
    return wait_child(*pid);
}

}  // namespace nullrelay
