// Tests for address_rewriter.hpp: which recipients are local, the order of precedence (map,
// admin_address, sender_domain), recursion, loops and other failures that must not lose the
// message, lists and deduplication, alias_scope, and the sender side with sender_map.
#include "maps/address_rewriter.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace nullrelay;

namespace {

std::shared_ptr<const AliasMap> map_of(const std::string& text, const std::string& path) {
    if (text.empty()) return nullptr;
    auto m = AliasMap::parse(text, path);
    INFO(text);
    if (!m) FAIL(m.error().message);
    return std::make_shared<AliasMap>(std::move(*m));
}

Config base_config() {
    Config c;
    c.hostname = "relay.example.org";
    c.sender_domain = "example.org";
    return c;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& a : v)
        out += (out.empty() ? "" : ", ") + a;
    return out;
}

struct Case {
    const char* label;
    std::string map;
    std::string input;
    std::string want;          // the addresses, joined by ", "
    std::string problem = "";  // a fragment of Rewritten::problem; "" for none
    std::function<void(Config&)> tweak = nullptr;
};

void run_recipients(const std::vector<Case>& cases) {
    for (const auto& c : cases) {
        INFO(c.label << "\nmap:\n" << c.map << "input: " << c.input);
        Config config = base_config();
        if (c.tweak) c.tweak(config);
        AddressRewriter rw(config, {map_of(c.map, "/etc/nullrelay/aliases"), nullptr});
        std::vector<std::string> trace;
        Rewritten r = rw.recipient(c.input, &trace);
        for (const auto& t : trace)
            UNSCOPED_INFO(t);
        CHECK(join(r.addresses) == c.want);
        if (c.problem.empty())
            CHECK(r.problem.empty());
        else
            CHECK_THAT(r.problem, Catch::Contains(c.problem));
        // The trace is only for the admin: asking for it changes nothing.
        Rewritten again = rw.recipient(c.input);
        CHECK(again.addresses == r.addresses);
        CHECK(again.problem == r.problem);
    }
}

auto admin = [](Config& c) { c.admin_address = "admin@example.net"; };

}  // namespace

TEST_CASE("rewriter: local addresses", "[address_rewriter]") {
    Config config = base_config();
    config.local_domains = {"intranet.example"};
    AddressRewriter rw(config);
    for (const char* local : {"root", "root@localhost", "root@LOCALHOST.localdomain",
                              "root@relay.example.org", "pi@intranet.example", "\"a b\""})
        CHECK(rw.is_local(local));
    for (const char* remote : {"root@example.org", "bob@example.com", "a@relay.example.org.evil"})
        CHECK_FALSE(rw.is_local(remote));
    CHECK(rw.qualified("root@localhost") == "root@example.org");
    CHECK(rw.qualified("bob@example.com") == "bob@example.com");
}

TEST_CASE("rewriter: recipients without a map", "[address_rewriter]") {
    run_recipients({
        {"bare name qualified", "", "root", "root@example.org"},
        {"@localhost qualified", "", "nobody@localhost", "nobody@example.org"},
        {"@hostname qualified", "", "www-data@relay.example.org", "www-data@example.org"},
        {"remote unchanged", "", "bob@example.com", "bob@example.com"},
        {"sender_domain defaults to hostname", "", "root", "root@relay.example.org", "",
         [](Config& c) { c.sender_domain.clear(); }},
        {"admin_address takes unmatched local recipients", "", "root", "admin@example.net", "",
         admin},
        {"admin_address leaves remote ones", "", "bob@example.com", "bob@example.com", "", admin},
    });
}

TEST_CASE("rewriter: recipients through alias_map", "[address_rewriter]") {
    const std::string classic =
        "/^(root|postmaster|abuse)$/ admin@example.net\n"
        "/^([^@]+)$/ ${1}@example.net\n";
    const std::string chain =
        "/^www-data$/ root\n"
        "/^nobody$/ www-data@localhost\n"
        "/^root$/ torres@example.net\n";
    run_recipients({
        {"classic: admin", classic, "root", "admin@example.net"},
        {"classic: @localhost by its local part", classic, "abuse@localhost", "admin@example.net"},
        {"classic: user", classic, "pi", "pi@example.net"},
        {"whole address first (a Postfix virtual map)",
         "/^root@example\\.org$/ first@example.net\n/^root$/ second@example.net\n", "root",
         "first@example.net"},
        {"@localhost keys", "/@localhost$/ local@example.net\n", "nobody@localhost",
         "local@example.net"},
        {"results looked up again", chain, "nobody", "torres@example.net"},
        {"list, each expanded, deduplicated",
         "/^ops$/ root, admin@example.net, www-data\n/^(root|www-data)$/ admin@example.net\n",
         "ops", "admin@example.net"},
        {"list order kept", "/^ops$/ b@example.net, a@example.net, b@example.net\n", "ops",
         "b@example.net, a@example.net"},
        {"unmatched: sender_domain", "/^root$/ a@example.net\n", "pi", "pi@example.org"},
        {"unmatched: admin_address wins over sender_domain", "/^root$/ a@example.net\n", "pi",
         "admin@example.net", "", admin},
        {"unmatched result goes to admin_address", "/^www-data$/ root\n", "www-data",
         "admin@example.net", "", admin},
        {"mapped to itself: kept, not sent to admin", "/^pi$/ pi\n", "pi", "pi@example.org", "",
         admin},
        {"remote not looked up with alias_scope = local", "/.+/ all@example.net\n",
         "bob@example.com", "bob@example.com"},
        {"alias_scope = all", "/^bob@example\\.com$/ robert@example.com\n", "bob@example.com",
         "robert@example.com", "", [](Config& c) { c.alias_scope = AliasScope::all; }},
        {"alias_scope = all: remote, no bare-name key", "/^bob$/ x@example.net\n",
         "bob@example.com", "bob@example.com", "",
         [](Config& c) { c.alias_scope = AliasScope::all; }},
        {"local_domains", "/^pi$/ pi-owner@example.net\n", "pi@intranet.example",
         "pi-owner@example.net", "", [](Config& c) { c.local_domains = {"intranet.example"}; }},
    });
}

TEST_CASE("rewriter: failures do not lose the recipient", "[address_rewriter]") {
    std::string deep;
    for (int i = 0; i < 30; ++i)
        deep += "/^a" + std::to_string(i) + "$/ a" + std::to_string(i + 1) + "\n";
    // x gives 40 names, each of which gives the same 40 others: 1,641 lookups.
    std::string ys, ws;
    for (int i = 0; i < 40; ++i) {
        ys += (i ? ", y" : "y") + std::to_string(i);
        ws += (i ? ", w" : "w") + std::to_string(i);
    }
    const std::string fan_out = "/^x$/ " + ys + "\n/^y[0-9]+$/ " + ws + "\n";
    run_recipients({
        {"loop: sender_domain", "/^a$/ b\n/^b$/ a\n", "a", "a@example.org",
         "alias loop: a -> b -> a"},
        {"loop: admin_address", "/^a$/ b\n/^b$/ c@localhost\n/^c$/ a\n", "a", "admin@example.net",
         "alias loop: a -> b -> c@localhost -> a", admin},
        {"loop through the whole address", "/^a@example\\.org$/ b\n/^b$/ a\n", "a", "a@example.org",
         "alias loop"},
        {"too deep", deep, "a0", "a0@example.org", "more than 20 levels"},
        {"a result that is not an address", "/^(.*)$/ \"$1@example.net\n", "root",
         "root@example.org", "is not an address"},
        {"match limit", "/^(a+)+$/ x@example.net\n", std::string(40, 'a') + "!",
         std::string(40, 'a') + "!@example.org", "match limit"},
        {"fan-out", fan_out, "x", "admin@example.net", "more than 1000 lookups", admin},
    });
}

TEST_CASE("rewriter: senders", "[address_rewriter]") {
    struct S {
        const char* label;
        std::string sender_map;
        std::string input;
        std::string want;
        std::string problem = "";
    };
    const std::vector<S> cases = {
        {"null sender stays null", "", "", ""},
        {"null sender stays null with a map", "/.*/ torres@example.net\n", "", ""},
        {"bare name qualified", "", "root", "root@example.org"},
        {"@localhost qualified", "", "root@localhost", "root@example.org"},
        {"remote unchanged", "", "bob@example.com", "bob@example.com"},
        {"sender_map for every sender", "/.+/ torres@example.net\n", "bob@example.com",
         "torres@example.net"},
        {"sender_map by local part", "/^root$/ torres@example.net\n", "root@localhost",
         "torres@example.net"},
        {"sender_map result qualified", "/^root$/ torres\n", "root", "torres@example.org"},
        {"sender_map miss", "/^root$/ torres@example.net\n", "pi", "pi@example.org"},
        {"sender_map with a list", "/^root$/ a@example.net, b@example.net\n", "root",
         "root@example.org", "2 addresses where a sender needs one"},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        AddressRewriter rw(base_config(),
                           {nullptr, map_of(c.sender_map, "/etc/nullrelay/senders")});
        Rewritten r = rw.sender(c.input);
        REQUIRE(r.addresses.size() == 1);
        CHECK(r.addresses[0] == c.want);
        if (c.problem.empty())
            CHECK(r.problem.empty());
        else
            CHECK_THAT(r.problem, Catch::Contains(c.problem));
    }
}

TEST_CASE("rewriter: the trace names file, line and rule", "[address_rewriter]") {
    AddressRewriter rw(base_config(),
                       {map_of("# aliases\n/^www-data$/ root\n/^root$/ admin@example.net\n",
                               "/etc/nullrelay/aliases"),
                        nullptr});
    std::vector<std::string> trace;
    Rewritten r = rw.recipient("www-data", &trace);
    CHECK(r.addresses == std::vector<std::string>{"admin@example.net"});
    const std::vector<std::string> want = {
        "key www-data@example.org: no rule in /etc/nullrelay/aliases matches",
        "key www-data: /etc/nullrelay/aliases:2: /^www-data$/ root",
        "  key root@example.org: no rule in /etc/nullrelay/aliases matches",
        "  key root: /etc/nullrelay/aliases:3: /^root$/ admin@example.net",
        "    admin@example.net: not local: unchanged",
    };
    CHECK(trace == want);
}

TEST_CASE("load_address_maps names the file and line of an error", "[address_rewriter]") {
    Config config = base_config();
    config.aliases_file.clear();       // not this host's /etc/aliases
    CHECK(load_address_maps(config));  // no maps: nothing to load
    config.alias_map = "/nonexistent/aliases";
    auto maps = load_address_maps(config);
    REQUIRE_FALSE(maps);
    CHECK(maps.error().exit_code == EX_CONFIG);
    CHECK_THAT(maps.error().message, Catch::Contains("/nonexistent/aliases"));
}
