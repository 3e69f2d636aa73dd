// Tests for config_keys.hpp: the TLS, AUTH and secret keys of nullrelay.conf.
#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "config_fixture.hpp"

using namespace nullrelay;
using namespace nullrelay::test;

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

namespace {

const std::string kOAuth2Base =
    "auth_user = alerts@example.com\n"
    "oauth2_grant = client_credentials\n"
    "oauth2_token_url = https://login.example.com/tenant/oauth2/v2.0/token\n"
    "oauth2_client_id = 0000-client\n"
    "oauth2_scope = https://outlook.office365.com/.default\n";

std::string oauth2_error(const std::string& text) {
    auto r = parse_config(text, "t.conf");
    REQUIRE_FALSE(r);
    CHECK(r.error().exit_code == EX_CONFIG);
    return r.error().message;
}

}  // namespace

TEST_CASE("oauth2 keys: a client credentials grant, and its defaults", "[config_keys]") {
    Config c = parse_ok(kOAuth2Base + "oauth2_client_secret_file = /etc/nullrelay/secret\n");
    CHECK(c.oauth2.enabled());
    CHECK(c.oauth2.grant == OAuth2Grant::client_credentials);
    CHECK(c.oauth2.token_url == "https://login.example.com/tenant/oauth2/v2.0/token");
    CHECK(c.oauth2.client_id == "0000-client");
    CHECK(c.oauth2.scope == "https://outlook.office365.com/.default");
    CHECK(c.oauth2.client_secret_file == "/etc/nullrelay/secret");
    CHECK(c.oauth2.state_dir == "/var/lib/nullrelay");
    CHECK(c.oauth2.redirect_uri == "http://localhost");
    CHECK(c.oauth2.tls_ca_file.empty());
    // XOAUTH2 is implied (libcurl would pick OAUTHBEARER where offered).
    CHECK(c.auth_mechanism == AuthMechanism::xoauth2);
    CHECK_FALSE(parse_ok("").oauth2.enabled());
}

TEST_CASE("oauth2 keys: a refresh token grant with the login endpoints", "[config_keys]") {
    Config c = parse_ok(
        "auth_user = you@gmail.com\n"
        "oauth2_grant = refresh_token\n"
        "oauth2_token_url = https://oauth2.googleapis.com/token\n"
        "oauth2_authorize_url = https://accounts.google.com/o/oauth2/v2/auth\n"
        "oauth2_device_url = https://oauth2.example.com/device\n"
        "oauth2_redirect_uri = http://127.0.0.1:8080/\n"
        "oauth2_client_id = 123.apps.googleusercontent.com\n"
        "oauth2_client_secret_command = /usr/local/bin/secret gmail\n"
        "oauth2_scope = https://mail.google.com/ offline_access\n"
        "oauth2_state_dir = /srv/nullrelay-state\n"
        "oauth2_tls_ca_file = /etc/ssl/private-ca.pem\n"
        "oauth2_tls_ca_path = /etc/ssl/private-cas\n"
        "auth_mechanism = xoauth2\n");
    CHECK(c.oauth2.grant == OAuth2Grant::refresh_token);
    CHECK(c.oauth2.authorize_url == "https://accounts.google.com/o/oauth2/v2/auth");
    CHECK(c.oauth2.device_url == "https://oauth2.example.com/device");
    CHECK(c.oauth2.redirect_uri == "http://127.0.0.1:8080/");
    CHECK(c.oauth2.client_secret_command ==
          std::vector<std::string>{"/usr/local/bin/secret", "gmail"});
    CHECK(c.oauth2.scope == "https://mail.google.com/ offline_access");
    CHECK(c.oauth2.state_dir == "/srv/nullrelay-state");
    CHECK(c.oauth2.tls_ca_file == "/etc/ssl/private-ca.pem");
    CHECK(c.oauth2.tls_ca_path == "/etc/ssl/private-cas");
}

TEST_CASE("oauth2 keys: bad values name the key and line", "[config_keys]") {
    const std::vector<std::pair<std::string, std::string>> table = {
        {"oauth2_grant = password\n", "expected client_credentials or refresh_token"},
        {"oauth2_token_url = http://login.example.com/token\n", "starting with https://"},
        {"oauth2_token_url = https:///token\n", "starting with https://"},
        {"oauth2_token_url = https://a.example/t x\n", "is not a URL"},
        {"oauth2_device_url = ftp://a.example/\n", "starting with https://"},
        {"oauth2_redirect_uri = localhost:8080\n", "starting with http:// or https://"},
        {"oauth2_client_secret_command = secret-tool lookup\n", "absolute program path"},
        {"oauth2_state_dir = var/lib/nullrelay\n", "absolute path"},
        {"oauth2_client_secret_file = secret\n", "absolute path"},
    };
    for (const auto& [line, want] : table) {
        INFO(line);
        std::string msg = oauth2_error(line);
        CHECK_THAT(msg, Catch::Contains("t.conf:1: oauth2_") && Catch::Contains(want));
    }
}

TEST_CASE("oauth2 keys: checks across keys", "[config_keys]") {
    const std::vector<std::pair<std::string, std::string>> table = {
        // Settings without the grant that uses them.
        {"oauth2_client_id = x\n", "t.conf:1: oauth2_client_id needs oauth2_grant"},
        {"oauth2_state_dir = /srv/x\n", "t.conf:1: oauth2_state_dir needs oauth2_grant"},
        {"oauth2_tls_ca_path = /srv/cas\n", "t.conf:1: oauth2_tls_ca_path needs oauth2_grant"},
        // A grant without what every token request needs.
        {"oauth2_grant = refresh_token\n", "oauth2_grant needs auth_user"},
        {"auth_user = u\noauth2_grant = refresh_token\n", "oauth2_grant needs oauth2_token_url"},
        {"auth_user = u\noauth2_grant = refresh_token\noauth2_token_url = https://a.example/t\n",
         "oauth2_grant needs oauth2_client_id"},
        {"auth_user = u\noauth2_grant = refresh_token\noauth2_token_url = https://a.example/t\n"
         "oauth2_client_id = c\n",
         "oauth2_grant needs oauth2_scope"},
        // The access token is the secret: no password, no other mechanism.
        {kOAuth2Base + "password_file = /etc/nullrelay/password\n",
         "t.conf:6: set password_file or oauth2_grant, not both"},
        {kOAuth2Base + "password_command = /bin/echo x\n",
         "t.conf:6: set password_command or oauth2_grant, not both"},
        {kOAuth2Base + "auth_mechanism = plain\n",
         "t.conf:6: oauth2_grant logs in with XOAUTH2: auth_mechanism must be xoauth2 or auto"},
        {kOAuth2Base +
             "oauth2_client_secret_file = /a\noauth2_client_secret_command = /bin/echo x\n",
         "t.conf:7: set oauth2_client_secret_file or oauth2_client_secret_command, not both"},
        // No login with client credentials.
        {kOAuth2Base + "oauth2_device_url = https://login.example.com/devicecode\n",
         "t.conf:6: oauth2_device_url is for oauth2_grant = refresh_token"},
    };
    for (const auto& [text, want] : table) {
        INFO(text);
        CHECK_THAT(oauth2_error(text), Catch::Contains(want));
    }
}
