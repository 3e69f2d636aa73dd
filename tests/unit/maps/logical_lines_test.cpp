// Tests for logical_lines.hpp: continuations join the line before them, comments and blank
// lines are skipped (also between a line and its continuations), CRs are dropped, and a
// continuation with nothing before it is an error naming the file and the line.
#include "maps/logical_lines.hpp"

#include <catch2/catch.hpp>

#include <sysexits.h>

using namespace nullrelay;

TEST_CASE("logical lines join their continuations", "[logical_lines]") {
    std::string text =
        "# a comment\n"
        "\n"
        "/^root$/ ops@example.org,\r\n"
        "    # a comment between\n"
        "\tadmin@example.org\n"
        "root2: x\n"
        "  \n"
        "   y\n";
    auto lines = logical_lines(text, "/etc/map", "a line");
    REQUIRE(lines);
    REQUIRE(lines->size() == 2);
    CHECK((*lines)[0].number == 3);
    CHECK((*lines)[0].first == "/^root$/ ops@example.org,");
    REQUIRE((*lines)[0].more.size() == 1);
    CHECK((*lines)[0].joined() == "/^root$/ ops@example.org,\tadmin@example.org");
    CHECK((*lines)[1].number == 6);
    CHECK((*lines)[1].joined() == "root2: x   y");
}

TEST_CASE("a continuation before any line is refused with its place", "[logical_lines]") {
    auto lines = logical_lines("# start\n  orphan\nroot: x\n", "/etc/aliases", "an entry");
    REQUIRE(!lines);
    CHECK(lines.error().exit_code == EX_CONFIG);
    CHECK(lines.error().message ==
          "/etc/aliases:2: the line starts with white space, which continues an entry, but "
          "none came before");
    auto empty = logical_lines("", "/etc/map", "a line");
    REQUIRE(empty);
    CHECK(empty->empty());
}
