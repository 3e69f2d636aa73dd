// The TLS/AUTH/secret keys and their libcurl forms; password_command's bounds.
#include <catch2/catch.hpp>

#include "config.hpp"
#include "secret_command.hpp"
#include "security_keys.hpp"

using namespace nullrelay;

namespace {

Config parse_ok(const std::string& text) {
    auto r = parse_config(text, "t.conf");
    INFO(text);
    REQUIRE(r);
    return *r;
}

const std::string kPinA = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
const std::string kPinB = "uoO3Ao6ViVCh9Ua40zBpy9hlk/+mh6fGW0MQUbvcAOo=";

}  // namespace

TEST_CASE("TLS and AUTH keys: defaults", "[security_keys]") {
    Config c = parse_ok("");
    CHECK(c.tls_min_version == TlsVersion::v1_2);
    CHECK(c.auth_mechanism == AuthMechanism::automatic);
    CHECK(curl_pinned_public_key(c).empty());
    CHECK(curl_login_options(c).empty());
    CHECK(c.password_command.empty());
}

TEST_CASE("auth_mechanism maps to CURLOPT_LOGIN_OPTIONS", "[security_keys]") {
    const std::vector<std::pair<std::string, std::string>> table = {
        {"auto", ""},
        {"plain", "AUTH=PLAIN"},
        {"login", "AUTH=LOGIN"},
        {"xoauth2", "AUTH=XOAUTH2"},
    };
    for (const auto& [value, want] : table) {
        INFO(value);
        Config c = parse_ok("auth_user = u\nauth_mechanism = " + value + "\n");
        CHECK(curl_login_options(c) == want);
    }
}

TEST_CASE("tls_pin_sha256 maps to CURLOPT_PINNEDPUBLICKEY", "[security_keys]") {
    Config one = parse_ok("tls_pin_sha256 = " + kPinA + "\n");
    CHECK(curl_pinned_public_key(one) == "sha256//" + kPinA);
    Config two = parse_ok("tls_pin_sha256 = " + kPinA + ", sha256//" + kPinB + "\n");
    CHECK(curl_pinned_public_key(two) == "sha256//" + kPinA + ";sha256//" + kPinB);
    for (std::string bad :
         std::vector<std::string>{"abc", kPinA.substr(1), kPinA + "x", "sha256//" + kPinA + ";x",
                                  kPinA.substr(0, 43) + "!"}) {
        INFO(bad);
        CHECK_FALSE(parse_config("tls_pin_sha256 = " + bad + "\n", "t.conf"));
    }
}

TEST_CASE("tls_min_version and client certificates", "[security_keys]") {
    CHECK(parse_ok("tls_min_version = 1.3\n").tls_min_version == TlsVersion::v1_3);
    for (const char* bad : {"1.0", "1.1", "tls1.3", "3"})
        CHECK_FALSE(parse_config(std::string("tls_min_version = ") + bad + "\n", "t.conf"));
    Config c = parse_ok("tls_client_cert = /c.pem\ntls_client_key = /k.pem\n");
    CHECK(c.tls_client_cert == "/c.pem");
    CHECK(c.tls_client_key == "/k.pem");
}

TEST_CASE("password_command is split into argv without a shell", "[security_keys]") {
    Config c = parse_ok("password_command = /usr/bin/pass  show\tmail/relay;$HOME\n");
    CHECK(c.password_command ==
          std::vector<std::string>{"/usr/bin/pass", "show", "mail/relay;$HOME"});
}

TEST_CASE("run_secret_command: first line, bounded time and output", "[security_keys]") {
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
