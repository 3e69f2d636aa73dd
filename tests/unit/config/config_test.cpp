// Tests for config.hpp: every key, the defaults, smarthost lists, durations, and errors that
// name the file and line with EX_CONFIG.
#include "config/config.hpp"
#include "config_fixture.hpp"

#include <catch2/catch.hpp>

#include <sysexits.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using namespace nullrelay;
using namespace std::chrono_literals;

namespace {

Config parse_ok(const std::string& text) {
    return test::parse_ok(text, "/etc/nullrelay/test.conf");
}

}  // namespace

TEST_CASE("config defaults", "[config]") {
    Config c = parse_ok("");
    CHECK(c.path == "/etc/nullrelay/test.conf");
    CHECK(c.smarthosts.empty());
    CHECK(c.tls == TlsMode::starttls);
    CHECK(c.tls_ca_file.empty());
    CHECK(c.tls_ca_path.empty());
    CHECK(c.auth_user.empty());
    CHECK(c.password_file.empty());
    CHECK(c.hostname.empty());
    CHECK(c.sender_domain.empty());
    CHECK(c.alias_map.empty());
    CHECK(c.spool_dir == "/var/spool/nullrelay");
    CHECK(c.connections == 2);
    CHECK(c.max_message_size == 50ull * 1024 * 1024);
    CHECK(c.bounce_size_limit == 50000);
    CHECK(c.retry_min == 60s);
    CHECK(c.retry_max == 3600s);
    CHECK(c.queue_lifetime == std::chrono::seconds(5 * 86400));
    CHECK(c.connect_timeout == 30s);
    CHECK(c.response_timeout == 300s);
    CHECK(c.max_connection_age == 60s);
}

TEST_CASE("config parses every key", "[config]") {
    Config c = parse_ok(
        "# nullrelay.conf\n"
        "\n"
        "smarthost = mail.example.org:2525, backup.example.org\n"
        "tls = starttls\n"
        "tls_ca_file = /etc/ssl/private-ca.pem\n"
        "tls_ca_path = /etc/nullrelay/ca.d\n"
        "auth_user = relay@example.org\n"
        "password_file = /etc/nullrelay/password\n"
        "   hostname=Relay.Example.ORG   \n"
        "sender_domain = example.org\n"
        "alias_map = /etc/nullrelay/aliases\n"
        "spool_dir = /srv/spool\n"
        "connections = 4\n"
        "max_message_size = 10M\n"
        "bounce_size_limit = 100k\n"
        "retry_min = 30s\n"
        "retry_max = 2h\n"
        "queue_lifetime = 3d\n"
        "connect_timeout = 1m\n"
        "response_timeout = 90s\n"
        "max_connection_age = 1w\n");
    CHECK(c.smarthosts ==
          std::vector<Smarthost>{{"mail.example.org", 2525}, {"backup.example.org", 587}});
    CHECK(c.tls == TlsMode::starttls);
    CHECK(c.tls_ca_file == "/etc/ssl/private-ca.pem");
    CHECK(c.tls_ca_path == "/etc/nullrelay/ca.d");
    CHECK(c.auth_user == "relay@example.org");
    CHECK(c.password_file == "/etc/nullrelay/password");
    CHECK(c.hostname == "relay.example.org");  // domains are lowercased
    CHECK(c.sender_domain == "example.org");
    CHECK(c.qualify_domain() == "example.org");
    CHECK(c.alias_map == "/etc/nullrelay/aliases");
    CHECK(c.spool_dir == "/srv/spool");
    CHECK(c.connections == 4);
    CHECK(c.max_message_size == 10u * 1024 * 1024);
    CHECK(c.bounce_size_limit == 100u * 1024);
    CHECK(c.retry_min == 30s);
    CHECK(c.retry_max == 7200s);
    CHECK(c.queue_lifetime == std::chrono::seconds(3 * 86400));
    CHECK(c.connect_timeout == 60s);
    CHECK(c.response_timeout == 90s);
    CHECK(c.max_connection_age == std::chrono::seconds(7 * 86400));
}

TEST_CASE("config smarthost lists and default ports", "[config]") {
    struct Case {
        const char* text;
        std::vector<Smarthost> want;
    };
    const std::vector<Case> cases = {
        {"smarthost = mx.example.org", {{"mx.example.org", 587}}},
        {"smarthost = mx.example.org\ntls = implicit", {{"mx.example.org", 465}}},
        {"tls = implicit\nsmarthost = a.test:2465, b.test", {{"a.test", 2465}, {"b.test", 465}}},
        {"smarthost = [::1]:25", {{"[::1]", 25}}},
        {"smarthost = [2001:db8::1]", {{"[2001:db8::1]", 587}}},
        {"smarthost = 192.0.2.7:25,mx.test", {{"192.0.2.7", 25}, {"mx.test", 587}}},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        CHECK(parse_ok(c.text).smarthosts == c.want);
    }
    CHECK(parse_ok("smarthost = mx.test").qualify_domain().empty());
    CHECK(parse_ok("hostname = h.test").qualify_domain() == "h.test");
}

TEST_CASE("config durations", "[config]") {
    struct Case {
        const char* text;
        long long want;
    };
    for (Case c : {Case{"30s", 30},
                   {"5m", 300},
                   {"1h", 3600},
                   {"5d", 432000},
                   {"2w", 1209600},
                   {"3650d", 3650ll * 86400},
                   {"0s", 0}}) {
        INFO(c.text);
        auto d = parse_duration(c.text);
        REQUIRE(d);
        CHECK(d->count() == c.want);
    }
    for (const char* bad : {"", "s", "5x", "-1s", "1.5h", " 5s", "5 s", "3651d", "5S"}) {
        INFO(bad);
        auto d = parse_duration(bad);
        REQUIRE_FALSE(d);
        CHECK(d.error().exit_code == EX_CONFIG);
    }
}

TEST_CASE("config errors name path and line", "[config]") {
    struct Case {
        const char* label;
        std::string text;
        std::string want;  // a fragment of the message
    };
    const std::string p = "/etc/nullrelay/test.conf";
    const std::vector<Case> cases = {
        {"unknown key", "# c\nsmarthost = a.test\nsmarthots = b.test\n", p + ":3: unknown key"},
        {"missing '='", "\nsmarthost a.test\n", p + ":2: expected 'key = value'"},
        {"duplicate key", "connections = 2\nconnections = 3\n", p + ":2: 'connections' is"},
        {"empty value", "spool_dir =\n", p + ":1: 'spool_dir' needs a value"},
        {"bad number", "connections = many\n", p + ":1: connections:"},
        {"number out of range", "connections = 65\n", p + ":1: connections:"},
        {"bad duration", "retry_min = 5 minutes\n", p + ":1: retry_min:"},
        {"relative path", "spool_dir = var/spool\n", p + ":1: spool_dir:"},
        {"relative password file", "password_file = pw\n", p + ":1: password_file:"},
        {"bad tls", "tls = yes\n", p + ":1: tls:"},
        {"bad port", "smarthost = mx.test:0\n", p + ":1: smarthost:"},
        {"port not a number", "smarthost = mx.test:smtp\n", p + ":1: smarthost:"},
        {"bad host", "smarthost = mx/test\n", p + ":1: smarthost:"},
        {"empty list entry", "smarthost = a.test,,b.test\n", p + ":1: smarthost:"},
        {"unclosed bracket", "smarthost = [::1:25\n", p + ":1: smarthost:"},
        {"bad hostname", "hostname = relay example\n", p + ":1: hostname:"},
        {"bad size", "max_message_size = 10X\n", p + ":1: max_message_size:"},
        {"password_file and password_command",
         "password_file = /a\npassword_command = /bin/pass show relay\n",
         ":2: set password_file or password_command, not both"},
        {"relative password_command", "password_command = pass show\n",
         ":1: password_command: expected an absolute program path"},
        {"client cert without key", "tls_client_cert = /c.pem\n",
         ":1: tls_client_cert and tls_client_key go together"},
        {"xoauth2 without user", "auth_mechanism = xoauth2\n",
         ":1: auth_mechanism = xoauth2 needs auth_user"},
        {"bad tls_min_version", "tls_min_version = 1.1\n", ":1: tls_min_version: expected 1.2"},
        {"bad pin", "tls_pin_sha256 = abc\n", ":1: tls_pin_sha256:"},
        {"bad auth_mechanism", "auth_mechanism = cram-md5\n", ":1: auth_mechanism:"},
        {"retry_max below retry_min", "retry_min = 1h\nretry_max = 5m\n",
         "retry_max is shorter than retry_min"},
        {"retry_min zero", "retry_min = 0s\n", "retry_min must be at least 1s"},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        auto r = parse_config(c.text, p);
        REQUIRE_FALSE(r);
        CHECK(r.error().exit_code == EX_CONFIG);
        CHECK(r.error().exit_code == 78);
        CHECK_THAT(r.error().message, Catch::Contains(c.want));
        CHECK_THAT(r.error().message, Catch::StartsWith(p + ":"));
    }
}

TEST_CASE("config accepts comments, blank lines and CRLF line ends", "[config]") {
    Config c = parse_ok(
        "# comment\r\n"
        "\r\n"
        "   # indented comment\r\n"
        "\t\r\n"
        "smarthost = mx.test:25\r\n"
        "connections = 3\r\n");
    CHECK(c.smarthosts == std::vector<Smarthost>{{"mx.test", 25}});
    CHECK(c.connections == 3);
    // A CRLF file's errors still count lines.
    auto r = parse_config("# a\r\n# b\r\nbogus = 1\r\n", "x.conf");
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::StartsWith("x.conf:3: unknown key 'bogus'"));
}

// Bug: the checks that span keys (retry_max < retry_min, both secrets) named the file but
// not the line, although nullrelay.conf(5) says every error names both.
TEST_CASE("config: checks across keys name the line", "[config]") {
    auto r = parse_config("# relay\npassword_file = /p\npassword_command = /bin/p\n", "x.conf");
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::StartsWith("x.conf:3:"));
    // auth_user alone is fine: the secret may be a systemd credential (credentials.hpp).
    CHECK(parse_config("auth_user = me\n", "x.conf"));
}

// Bug: parse_size() checks the number before multiplying by the unit, so a huge value with a
// G suffix wraps around 2^64 (here to 0) instead of being refused.
TEST_CASE("config refuses a max_message_size that overflows", "[config]") {
    auto r = parse_config("max_message_size = 17179869184G\n", "x.conf");
    CHECK_FALSE(r);
}

TEST_CASE("load_config reads a file; a missing default file gives the defaults", "[config]") {
    char dir[] = "/tmp/nullrelay-config-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string path = std::string(dir) + "/nullrelay.conf";
    {
        std::ofstream out(path, std::ios::binary);
        out << "smarthost = mx.test\r\nconnections = 5\r\n";
    }
    auto c = load_config(path, true);
    REQUIRE(c);
    CHECK(c->path == path);
    CHECK(c->connections == 5);

    const std::string missing = std::string(dir) + "/missing.conf";
    auto defaults = load_config(missing, false);
    REQUIRE(defaults);
    CHECK(defaults->smarthosts.empty());
    auto required = load_config(missing, true);
    REQUIRE_FALSE(required);
    CHECK(required.error().exit_code == EX_CONFIG);
    CHECK_THAT(required.error().message, Catch::Contains(missing));
    // A program's configuration: any path but the default one was named (-C) and must exist.
    auto named = load_config(missing);
    REQUIRE_FALSE(named);
    CHECK(named.error().exit_code == EX_CONFIG);
    REQUIRE(load_config(path));
    CHECK(load_config(path)->connections == 5);

    ::unlink(path.c_str());
    ::rmdir(dir);
}

TEST_CASE("config shutdown_timeout", "[config]") {
    CHECK(parse_ok("").shutdown_timeout == 10s);
    CHECK(parse_ok("shutdown_timeout = 2m\n").shutdown_timeout == 120s);
    auto bad = parse_config("shutdown_timeout = soon\n", "/etc/nullrelay/nullrelay.conf");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().exit_code == EX_CONFIG);
    CHECK_THAT(bad.error().message, Catch::StartsWith("/etc/nullrelay/nullrelay.conf:1: "));
}
