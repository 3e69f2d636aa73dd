// Tests for host_name.hpp: which name the host gives itself in EHLO and Message-ID.
#include "util/host_name.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace nullrelay;

TEST_CASE("choose_host_name: the first qualified name wins", "[host_name]") {
    struct Row {
        const char* label;
        HostNameSources sources;
        const char* domain;
        const char* want;
        bool qualified;
    };
    const Row rows[] = {
        {"/etc/mailname first",
         {"mail.example.org\n", "vm", "vm.lan"},
         "example.net",
         "mail.example.org",
         true},
        {"mailname in capitals, with blanks",
         {"  Mail.Example.ORG ", "vm", ""},
         "",
         "mail.example.org",
         true},
        {"an unqualified mailname is passed over", {"vm", "vm", "vm.lan"}, "", "vm.lan", true},
        {"a qualified host name",
         {"", "Host.Example.NET", ""},
         "example.org",
         "host.example.net",
         true},
        {"the resolver's name",
         {"", "vm", "vm.lan.example.com"},
         "example.org",
         "vm.lan.example.com",
         true},
        {"the resolver's unqualified name is passed over",
         {"", "vm", "vm"},
         "example.org",
         "vm.example.org",
         true},
        {"the host name qualified with sender_domain",
         {"", "vm", ""},
         "Example.ORG",
         "vm.example.org",
         true},
        {"a dot at the end is no qualification",
         {"example.", "vm.", ""},
         "example.org",
         "vm.example.org",
         true},
        {"nothing qualified: the bare name", {"", "vm", ""}, "", "vm", false},
        {"a single-label sender_domain does not qualify", {"", "vm", ""}, "lan", "vm", false},
        {"no host name at all", {"", "", ""}, "", "localhost", false},
    };
    for (const Row& r : rows) {
        INFO(r.label);
        LocalHostName h = choose_host_name(r.sources, r.domain);
        CHECK(h.name == r.want);
        CHECK(h.qualified() == r.qualified);
        CHECK_FALSE(h.source.empty());
    }
}

TEST_CASE("choose_host_name: the host's own name is kept for the local domains", "[host_name]") {
    LocalHostName h = choose_host_name({"", "VM", ""}, "example.org");
    CHECK(h.name == "vm.example.org");
    CHECK(h.own_name == "vm");
    CHECK(h.source == "the host name qualified with sender_domain");
}

TEST_CASE("is_qualified_host_name", "[host_name]") {
    CHECK(is_qualified_host_name("a.example"));
    CHECK_FALSE(is_qualified_host_name("vm"));
    CHECK_FALSE(is_qualified_host_name(""));
    CHECK_FALSE(is_qualified_host_name("vm."));
    CHECK_FALSE(is_qualified_host_name(".example"));
}
