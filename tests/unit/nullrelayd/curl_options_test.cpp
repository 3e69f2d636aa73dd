// Tests for curl_options.hpp: the TLS and AUTH keys as libcurl spells them.
#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "config_fixture.hpp"
#include "nullrelayd/curl_options.hpp"

using namespace nullrelay;
using namespace nullrelay::test;

TEST_CASE("no pin and automatic AUTH: nothing for libcurl", "[curl_options]") {
    Config c = parse_ok("");
    CHECK(curl_pinned_public_key(c).empty());
    CHECK(curl_login_options(c).empty());
}

TEST_CASE("auth_mechanism maps to CURLOPT_LOGIN_OPTIONS", "[curl_options]") {
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

TEST_CASE("tls_pin_sha256 maps to CURLOPT_PINNEDPUBLICKEY", "[curl_options]") {
    Config one = parse_ok("tls_pin_sha256 = " + kPinA + "\n");
    CHECK(curl_pinned_public_key(one) == "sha256//" + kPinA);
    Config two = parse_ok("tls_pin_sha256 = " + kPinA + ", sha256//" + kPinB + "\n");
    CHECK(curl_pinned_public_key(two) == "sha256//" + kPinA + ";sha256//" + kPinB);
}
