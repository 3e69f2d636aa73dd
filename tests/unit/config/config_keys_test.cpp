// Tests for config_keys.hpp: the TLS, AUTH and secret keys of nullrelay.conf.
#include <catch2/catch.hpp>

#include "config/config.hpp"

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

TEST_CASE("TLS and AUTH keys: defaults", "[config_keys]") {
    Config c = parse_ok("");
    CHECK(c.tls_min_version == TlsVersion::v1_2);
    CHECK(c.auth_mechanism == AuthMechanism::automatic);
    CHECK(c.tls_pin_sha256.empty());
    CHECK(c.password_command.empty());
}

TEST_CASE("auth_mechanism takes the four mechanisms", "[config_keys]") {
    const std::vector<std::pair<std::string, AuthMechanism>> table = {
        {"auto", AuthMechanism::automatic},
        {"plain", AuthMechanism::plain},
        {"login", AuthMechanism::login},
        {"xoauth2", AuthMechanism::xoauth2},
    };
    for (const auto& [value, want] : table) {
        INFO(value);
        CHECK(parse_ok("auth_user = u\nauth_mechanism = " + value + "\n").auth_mechanism == want);
    }
    CHECK_FALSE(parse_config("auth_mechanism = cram-md5\n", "t.conf"));
}

TEST_CASE("tls_pin_sha256 takes base64 SHA-256 digests, with or without sha256//",
          "[config_keys]") {
    CHECK(parse_ok("tls_pin_sha256 = " + kPinA + "\n").tls_pin_sha256 ==
          std::vector<std::string>{kPinA});
    CHECK(parse_ok("tls_pin_sha256 = " + kPinA + ", sha256//" + kPinB + "\n").tls_pin_sha256 ==
          std::vector<std::string>{kPinA, kPinB});
    for (std::string bad :
         std::vector<std::string>{"abc", kPinA.substr(1), kPinA + "x", "sha256//" + kPinA + ";x",
                                  kPinA.substr(0, 43) + "!"}) {
        INFO(bad);
        CHECK_FALSE(parse_config("tls_pin_sha256 = " + bad + "\n", "t.conf"));
    }
}

TEST_CASE("tls_min_version and client certificates", "[config_keys]") {
    CHECK(parse_ok("tls_min_version = 1.3\n").tls_min_version == TlsVersion::v1_3);
    for (const char* bad : {"1.0", "1.1", "tls1.3", "3"})
        CHECK_FALSE(parse_config(std::string("tls_min_version = ") + bad + "\n", "t.conf"));
    Config c = parse_ok("tls_client_cert = /c.pem\ntls_client_key = /k.pem\n");
    CHECK(c.tls_client_cert == "/c.pem");
    CHECK(c.tls_client_key == "/k.pem");
}

TEST_CASE("password_command is split into argv without a shell", "[config_keys]") {
    Config c = parse_ok("password_command = /usr/bin/pass  show\tmail/relay;$HOME\n");
    CHECK(c.password_command ==
          std::vector<std::string>{"/usr/bin/pass", "show", "mail/relay;$HOME"});
}
