#include "nullrelay/smarthost_check.hpp"

#include <unistd.h>

#include <cstdio>

#include "nullrelay/queue_client.hpp"
#include "util/child_process.hpp"
#include "util/program_path.hpp"

namespace nullrelay {

int check_smarthosts(const Config& config, const std::string& config_path, bool verbose) {
    // Root reads nothing secret itself: the daemon's user does, as it would to send mail.
    if (::getuid() == 0)
        if (Status st = become_spool_owner(SpoolLayout(config.spool_dir)); !st) {
            std::fprintf(stderr, "nullrelay: %s\n", st.error().message.c_str());
            return st.error().exit_code;
        }
    std::fflush(stdout);
    std::vector<std::string> argv = {sibling_program("nullrelayd"), "--check-connect", "-C",
                                     config_path};
    if (verbose) argv.push_back("-v");
    auto pid = spawn_child({.argv = argv, .stdout_fd = STDOUT_FILENO, .stderr_fd = STDERR_FILENO});
    if (!pid) {
        std::fprintf(stderr, "nullrelay: %s\n", pid.error().message.c_str());
        return pid.error().exit_code;
    }
    return wait_child(*pid);
}

}  // namespace nullrelay
