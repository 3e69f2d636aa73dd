// Tests for control_access.hpp: who is an admin, what a user may do and see through the
// control socket, and the two configuration keys that decide it.
#include "control/control_access.hpp"

#include <catch2/catch.hpp>

#include <sysexits.h>

using namespace nullrelay;

namespace {

PeerCredentials peer(std::uint32_t uid, std::uint32_t gid, std::vector<std::uint32_t> groups = {}) {
    PeerCredentials p;
    p.uid = uid;
    p.gid = gid;
    p.groups = std::move(groups);
    return p;
}

// The daemon runs as uid 110; admin_group has the gid given.
AccessPolicy admins_are(std::optional<std::uint32_t> gid, std::string name) {
    AccessPolicy p;
    p.daemon_uid = 110;
    p.admin_gid = gid;
    p.admin_group = std::move(name);
    return p;
}

}  // namespace

TEST_CASE("admins: root, the daemon's user, admin_group members", "[control_access]") {
    AccessPolicy policy = admins_are(4, "adm");
    CHECK(is_admin(policy, peer(0, 0)));
    CHECK(is_admin(policy, peer(110, 110)));
    CHECK(is_admin(policy, peer(1000, 4)));              // primary group
    CHECK(is_admin(policy, peer(1000, 1000, {27, 4})));  // supplementary group
    CHECK_FALSE(is_admin(policy, peer(1000, 1000, {27})));
    policy.admin_gid.reset();
    CHECK_FALSE(is_admin(policy, peer(1000, 4)));
}

TEST_CASE("authorize: anyone lists; only admins change or read", "[control_access]") {
    AccessPolicy policy = admins_are(std::nullopt, "");
    for (Action a : {Action::show, Action::flush, Action::hold, Action::release, Action::remove,
                     Action::requeue}) {
        INFO(to_string(a));
        CHECK(authorize(policy, peer(0, 0), a));
        Status st = authorize(policy, peer(1000, 1000), a);
        REQUIRE_FALSE(st);
        CHECK(st.error().exit_code == EX_NOPERM);
        CHECK_THAT(st.error().message, Catch::Contains("only root may"));
    }
    CHECK(authorize(policy, peer(1000, 1000), Action::list));
    policy.admin_group = "adm";
    CHECK_THAT(authorize(policy, peer(1000, 1000), Action::hold).error().message,
               Catch::Contains("root and members of group adm"));
}

TEST_CASE("listing_filter: own messages unless admin or visibility all", "[control_access]") {
    AccessPolicy policy = admins_are(4, "adm");
    CHECK(listing_filter(policy, peer(1000, 1000)) == std::optional<std::uint32_t>(1000));
    CHECK_FALSE(listing_filter(policy, peer(0, 0)));
    CHECK_FALSE(listing_filter(policy, peer(1000, 1000, {4})));
    policy.everyone_sees_all = true;
    CHECK_FALSE(listing_filter(policy, peer(1000, 1000)));
}

TEST_CASE("access_policy reads the configuration", "[control_access]") {
    auto config = parse_config("admin_group = root\nmailq_visibility = all\n", "/x.conf");
    REQUIRE(config);
    CHECK(config->admin_group == "root");
    CHECK(config->mailq_visibility == MailqVisibility::all);
    auto policy = access_policy(*config, 110);
    REQUIRE(policy);
    CHECK(policy->admin_gid == std::optional<std::uint32_t>(0));  // root's group is gid 0
    CHECK(policy->everyone_sees_all);

    auto defaults = parse_config("", "/x.conf");
    REQUIRE(defaults);
    CHECK(defaults->admin_group.empty());
    CHECK(defaults->mailq_visibility == MailqVisibility::own);
    CHECK_FALSE(access_policy(*defaults, 110)->admin_gid);

    config->admin_group = "no-such-group-here";
    auto missing = access_policy(*config, 110);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().exit_code == EX_CONFIG);

    for (const char* bad :
         {"admin_group = 1adm\n", "admin_group = a:b\n", "mailq_visibility = everyone\n"}) {
        INFO(bad);
        auto c = parse_config(bad, "/x.conf");
        REQUIRE_FALSE(c);
        CHECK_THAT(c.error().message, Catch::StartsWith("/x.conf:1: "));
    }
}
