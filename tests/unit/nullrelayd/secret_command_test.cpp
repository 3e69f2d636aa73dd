// Tests for secret_command.hpp: password_command's first line, bounded time and output.
#include "nullrelayd/secret_command.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "util/text.hpp"

using namespace nullrelay;

TEST_CASE("run_secret_command: first line, bounded time and output", "[secret_command]") {
    auto ok = run_secret_command({"/bin/sh", "-c", "printf 'tok\\r\\nsecond\\n'"});
    REQUIRE(ok);
    CHECK(*ok == "tok");
    auto failing = run_secret_command({"/bin/sh", "-c", "echo locked >&2; exit 2"});
    REQUIRE_FALSE(failing);
    CHECK(failing.error().exit_code == EX_TEMPFAIL);
    CHECK_THAT(failing.error().message, Catch::Contains("exit status 2 (it said: locked)"));
    auto empty = run_secret_command({"/bin/true"});
    REQUIRE_FALSE(empty);
    CHECK_THAT(empty.error().message, Catch::Contains("printed no secret"));
    auto missing = run_secret_command({"/nonexistent/helper"});
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error().message, Catch::Contains("cannot run /nonexistent/helper"));
    // The helper's children are killed with it (its own process group), so this returns.
    auto slow =
        run_secret_command({"/bin/sh", "-c", "sleep 30 & sleep 30"}, std::chrono::seconds(1));
    REQUIRE_FALSE(slow);
    CHECK_THAT(slow.error().message, Catch::Contains("no answer within 1s"));
    auto flood = run_secret_command({"/bin/sh", "-c", "yes"});
    REQUIRE_FALSE(flood);
    CHECK_THAT(flood.error().message, Catch::Contains("bytes of output; killed"));
}

// Issue 16, item 4: the helper gets only 0, 1 and 2, not what the daemon has open without
// O_CLOEXEC (libcurl's sockets were seen in it).
TEST_CASE("run_secret_command: the helper inherits no other descriptor", "[secret_command]") {
    int leaked = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC, as libcurl's sockets
    REQUIRE(leaked >= 0);
    REQUIRE(::dup2(leaked, 57) == 57);
    ::close(leaked);
    auto fds = run_secret_command({"/bin/sh", "-c", "echo $(ls /proc/self/fd)"});
    ::close(57);
    REQUIRE(fds);
    INFO(*fds);
    // ls's own 0-2 and the directory it reads; nothing of ours.
    for (std::string_view fd : split(*fds, ' '))
        CHECK(std::stoi(std::string(fd)) <= 3);
}
