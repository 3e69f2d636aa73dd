// Tests for aliases_file.hpp: /etc/aliases as aliases(5) writes it, what a null client keeps
// of it, and errors that name the file and line.
#include "maps/aliases_file.hpp"

#include <catch2/catch.hpp>

#include <sysexits.h>

#include "maps/address_rewriter.hpp"

using namespace nullrelay;

TEST_CASE("aliases file: entries, lists, continuations, comments, case", "[aliases_file]") {
    auto f = AliasesFile::parse(
        "# /etc/aliases\n"
        "postmaster: root\n"
        "root: ops@example.org, Oncall@Example.org\n"
        "backup:\tbackups@example.org,\n"
        "  archive@example.org\n"
        "\n"
        "Webmaster : web@example.org\n",
        "/etc/aliases");
    REQUIRE(f);
    CHECK(f->size() == 4);
    auto root = f->lookup("ROOT");
    REQUIRE(root);
    CHECK(root->line == 3);
    CHECK(root->results == std::vector<std::string>{"ops@example.org", "Oncall@Example.org"});
    auto backup = f->lookup("backup");
    REQUIRE(backup);
    CHECK(backup->line == 4);
    CHECK(backup->results ==
          std::vector<std::string>{"backups@example.org", "archive@example.org"});
    CHECK(f->lookup("webmaster"));
    CHECK_FALSE(f->lookup("nobody"));
    CHECK(f->warnings().empty());
}

TEST_CASE("aliases file: pipes, files and includes are skipped with a warning", "[aliases_file]") {
    auto f = AliasesFile::parse(
        "logs: /var/log/mail.archive\n"
        "support: \"|/usr/bin/ticket\", helpdesk@example.org\n"
        "staff: :include:/etc/mail/staff\n",
        "/etc/aliases");
    REQUIRE(f);
    CHECK_FALSE(f->lookup("logs"));  // nothing left to send to
    auto support = f->lookup("support");
    REQUIRE(support);
    CHECK(support->results == std::vector<std::string>{"helpdesk@example.org"});
    REQUIRE(f->warnings().size() == 3);
    CHECK_THAT(f->warnings()[0], Catch::StartsWith("/etc/aliases:1: /var/log/mail.archive"));
    CHECK_THAT(f->warnings()[1], Catch::StartsWith("/etc/aliases:2: \"|/usr/bin/ticket\""));
    CHECK_THAT(f->warnings()[2], Catch::Contains(":3: :include:/etc/mail/staff"));
}

TEST_CASE("aliases file: errors name the file and line", "[aliases_file]") {
    struct Case {
        const char* text;
        const char* want;
    };
    for (Case c : {Case{"root ops@example.org\n", "/etc/aliases:1: expected 'name: address"},
                   {"# x\n  continued\n", "/etc/aliases:2: the line starts with white space"},
                   {"root: ops@@example.org\n", "/etc/aliases:1: 'ops@@example.org' is not"},
                   {"a@b: x@example.org\n", "/etc/aliases:1: 'a@b' is not a local name"}}) {
        INFO(c.text);
        auto f = AliasesFile::parse(c.text, "/etc/aliases");
        REQUIRE_FALSE(f);
        CHECK(f.error().exit_code == EX_CONFIG);
        CHECK_THAT(f.error().message, Catch::StartsWith(c.want));
    }
}

// Issue 18, item 4: /etc/aliases was silently ignored. It applies to local recipients before
// alias_map, its results are expanded again, and the trace names its file and line.
TEST_CASE("aliases file: consulted before alias_map, traced with its line", "[aliases_file]") {
    Config config;
    config.hostname = "relay.example.org";
    config.sender_domain = "example.org";
    auto file = AliasesFile::parse("postmaster: root\nroot: ops@example.org\n", "/etc/aliases");
    auto map = AliasMap::parse("/^(root|www-data)$/ admin@example.net\n", "aliases.regexp");
    REQUIRE(file);
    REQUIRE(map);
    AddressRewriter rw(config, {std::make_shared<AliasMap>(std::move(*map)), nullptr,
                                std::make_shared<AliasesFile>(std::move(*file))});
    std::vector<std::string> trace;
    CHECK(rw.recipient("postmaster", &trace).addresses ==
          std::vector<std::string>{"ops@example.org"});
    CHECK(trace.front() == "key postmaster: /etc/aliases:1: postmaster: root");
    CHECK(trace.at(1) == "  key root: /etc/aliases:2: root: ops@example.org");
    // Not in the file: alias_map decides.
    CHECK(rw.recipient("www-data").addresses == std::vector<std::string>{"admin@example.net"});
    // Not local: the file is not consulted.
    CHECK(rw.recipient("root@example.net").addresses ==
          std::vector<std::string>{"root@example.net"});
}
