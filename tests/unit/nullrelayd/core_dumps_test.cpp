// Tests for core_dumps.hpp, in a child process (the test runner itself stays dumpable).
#include "nullrelayd/core_dumps.hpp"

#include <catch2/catch.hpp>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace nullrelay;

// Issue 16, item 4: the daemon could dump core with the password in memory.
TEST_CASE("forbid_core_dumps: not dumpable, core size 0", "[core_dumps]") {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        rlimit core{};
        bool ok = static_cast<bool>(forbid_core_dumps()) &&
                  ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 &&
                  ::getrlimit(RLIMIT_CORE, &core) == 0 && core.rlim_cur == 0 && core.rlim_max == 0;
        ::_exit(ok ? 0 : 1);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}
