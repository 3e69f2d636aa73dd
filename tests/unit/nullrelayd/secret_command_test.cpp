// Tests for secret_command.hpp: password_command's first line, bounded time and output.
#include <catch2/catch.hpp>

#include "nullrelayd/secret_command.hpp"

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
    CHECK_THAT(missing.error().message, Catch::Contains("cannot run it"));
    // The helper's children are killed with it (its own process group), so this returns.
    auto slow =
        run_secret_command({"/bin/sh", "-c", "sleep 30 & sleep 30"}, std::chrono::seconds(1));
    REQUIRE_FALSE(slow);
    CHECK_THAT(slow.error().message, Catch::Contains("no answer within 1s"));
    auto flood = run_secret_command({"/bin/sh", "-c", "yes"});
    REQUIRE_FALSE(flood);
    CHECK_THAT(flood.error().message, Catch::Contains("bytes of output; killed"));
}
