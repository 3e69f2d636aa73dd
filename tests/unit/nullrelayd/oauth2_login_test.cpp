// Tests for oauth2_login.hpp: the device authorization grant and the authorization code grant
// with PKCE, against a scripted endpoint and terminal; and the form encoding they use.
#include "nullrelayd/oauth2_login.hpp"

#include <catch2/catch.hpp>

#include "oauth2_fixture.hpp"
#include "util/text.hpp"

using namespace nullrelay;
using namespace nullrelay::test;

namespace {

struct Terminal {
    std::string shown;
    std::deque<std::string> typed;
    double now = 2'000'000;
    std::vector<std::int64_t> sleeps;
    LoginIo io() {
        return {.print = [this](std::string_view s) { shown += s; },
                .read_line = [this]() -> std::optional<std::string> {
                    if (typed.empty()) return std::nullopt;
                    std::string l = typed.front();
                    typed.pop_front();
                    return l;
                },
                .sleep =
                    [this](std::chrono::seconds s) {
                        sleeps.push_back(s.count());
                        now += static_cast<double>(s.count());
                    },
                .clock = manual_clock(&now)};
    }
};

// The value of a query parameter in a URL.
std::string query_param(const std::string& url, const std::string& name) {
    auto q = url.find('?');
    for (auto pair : split(std::string_view(url).substr(q + 1), '&'))
        if (pair.starts_with(name + "=")) return *form_decode(pair.substr(name.size() + 1));
    return "<absent>";
}

}  // namespace

TEST_CASE("PKCE: RFC 7636 appendix B, and random verifiers", "[oauth2_login]") {
    CHECK(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") ==
          "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    std::string v = random_urlsafe();
    CHECK(v.size() == 43);  // 43 to 128 characters of [A-Za-z0-9-._~]
    CHECK(v.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    CHECK(random_urlsafe() != v);
}

TEST_CASE("form encoding: unreserved characters as they are, the rest %XX", "[oauth2_login]") {
    CHECK(form_encode({{"scope", "https://mail.google.com/ offline_access"}, {"a~b", "x-y.z_"}}) ==
          "scope=https%3A%2F%2Fmail.google.com%2F%20offline_access&a~b=x-y.z_");
    CHECK(form_decode("4%2F0Ab+c") == "4/0Ab c");
    CHECK_FALSE(form_decode("%zz"));
    CHECK_FALSE(form_decode("abc%4"));
}

TEST_CASE("parse_pasted_answer: the address, its query, or the bare code", "[oauth2_login]") {
    auto url = parse_pasted_answer(
        "  http://localhost/?state=st-1&code=4%2F0AX4XfWh&scope=https://mail.google.com/#x\n");
    REQUIRE(url);
    CHECK(url->code == "4/0AX4XfWh");
    CHECK(url->state == "st-1");
    CHECK(url->whole_address);
    auto query = parse_pasted_answer("code=abc&state=s");
    REQUIRE(query);
    CHECK(query->code == "abc");
    CHECK(query->whole_address);
    auto bare = parse_pasted_answer("4%2F0AX4XfWh");
    REQUIRE(bare);
    CHECK(bare->code == "4/0AX4XfWh");
    CHECK_FALSE(bare->whole_address);
    auto denied = parse_pasted_answer("http://localhost/?error=access_denied&state=s");
    REQUIRE_FALSE(denied);
    CHECK(denied.error().message == "the sign-in failed: access_denied");
    for (const char* bad : {"", "http://localhost/?state=s", "two words", "http://x/?code=%g1"}) {
        INFO(bad);
        CHECK_FALSE(parse_pasted_answer(bad));
    }
}

TEST_CASE("device login: the code shown, pending and slow_down polled, the token saved",
          "[oauth2_login]") {
    TempStateDir dir;
    Config config = oauth2_config(OAuth2Grant::refresh_token, dir.path);
    config.oauth2.device_url = "https://login.example.com/devicecode";
    config.oauth2.scope = "https://outlook.office.com/SMTP.Send offline_access";
    ScriptedHttps http;
    http.reply(200, R"({"device_code":"dc-1","user_code":"ABCD-EFGH",
        "verification_uri":"https://login.example.com/device","expires_in":900,"interval":2})");
    http.reply(400, R"({"error":"authorization_pending"})");
    http.reply(400, R"({"error":"slow_down"})");
    http.reply(400, R"({"error":"authorization_pending"})");
    http.reply(200, token_json("at-1", 3600, "rt-1"));
    Terminal term;
    LoginIo io = term.io();
    OAuth2State state(dir.path);
    Status st = oauth2_login(config, {}, http, state, io);
    INFO(term.shown);
    REQUIRE(st);
    CHECK_THAT(term.shown, Catch::Contains("open on any device\n\n    "
                                           "https://login.example.com/device\n\nand enter the "
                                           "code\n\n    ABCD-EFGH\n"));
    CHECK_THAT(term.shown, Catch::Contains("valid for 15 minutes"));
    CHECK_THAT(term.shown, Catch::Contains("Signed in. The refresh token is saved in " +
                                           dir.file("oauth2-refresh-token")));
    CHECK(term.shown.find("rt-1") == std::string::npos);
    CHECK(term.shown.find("at-1") == std::string::npos);
    REQUIRE(http.sent.size() == 5);
    CHECK(http.sent[0].url == "https://login.example.com/devicecode");
    CHECK(http.sent[0].field("client_id") == "client-1");
    CHECK(http.sent[0].field("scope") == "https://outlook.office.com/SMTP.Send offline_access");
    CHECK(http.sent[1].url == "https://login.example.com/token");
    CHECK(http.sent[1].field("grant_type") == "urn:ietf:params:oauth:grant-type:device_code");
    CHECK(http.sent[1].field("device_code") == "dc-1");
    CHECK(term.sleeps == std::vector<std::int64_t>{2, 2, 7, 7});  // slow_down: 5 s more
    CHECK(dir.read("oauth2-refresh-token") == "rt-1\n");
    CHECK(dir.mode("oauth2-refresh-token") == 0600);
    CHECK(state.read_status().refresh_saved == static_cast<std::int64_t>(term.now));
}

TEST_CASE("device login: declined, expired, or no refresh token", "[oauth2_login]") {
    TempStateDir dir;
    Config config = oauth2_config(OAuth2Grant::refresh_token, dir.path);
    config.oauth2.device_url = "https://login.example.com/devicecode";
    const std::string device = R"({"device_code":"dc","user_code":"U",
        "verification_uri":"https://d.example/","expires_in":10,"interval":4})";
    OAuth2State state(dir.path);
    {
        ScriptedHttps http;
        http.reply(200, device);
        http.reply(400, R"({"error":"access_denied"})");
        Terminal term;
        LoginIo io = term.io();
        Status st = oauth2_login(config, {}, http, state, io);
        REQUIRE_FALSE(st);
        CHECK(st.error().message == "the sign-in was declined (access_denied)");
    }
    {
        ScriptedHttps http;
        http.reply(200, device);
        for (int i = 0; i < 3; ++i)
            http.reply(400, R"({"error":"authorization_pending"})");
        Terminal term;
        LoginIo io = term.io();
        Status st = oauth2_login(config, {}, http, state, io);
        REQUIRE_FALSE(st);
        CHECK_THAT(st.error().message, Catch::Contains("the code expired"));
        CHECK(http.sent.size() == 4);  // at 4 s, 8 s and 12 s: then the code has expired
    }
    {
        ScriptedHttps http;
        http.reply(200, device);
        http.reply(200, token_json("at-1", 3600));
        Terminal term;
        LoginIo io = term.io();
        Status st = oauth2_login(config, {}, http, state, io);
        REQUIRE_FALSE(st);
        CHECK_THAT(st.error().message,
                   Catch::Contains("issued no refresh token") && Catch::Contains("offline_access"));
    }
    CHECK_FALSE(std::filesystem::exists(dir.file("oauth2-refresh-token")));
}

TEST_CASE("code login with PKCE: the address printed, the answer pasted, the code traded",
          "[oauth2_login]") {
    TempStateDir dir;
    Config config = oauth2_config(OAuth2Grant::refresh_token, dir.path);
    config.oauth2.authorize_url = "https://accounts.example.com/o/oauth2/v2/auth";
    config.oauth2.scope = "https://mail.google.com/";
    ScriptedHttps http;
    http.reply(200, token_json("at-1", 3599, "rt-google"));
    Terminal term;
    LoginIo io = term.io();
    // The terminal "reads" the address from what was printed and pastes the redirect back.
    io.read_line = [&]() -> std::optional<std::string> {
        auto start = term.shown.find("https://accounts.example.com/");
        std::string url = term.shown.substr(start, term.shown.find('\n', start) - start);
        CHECK(query_param(url, "response_type") == "code");
        CHECK(query_param(url, "client_id") == "client-1");
        CHECK(query_param(url, "redirect_uri") == "http://localhost");
        CHECK(query_param(url, "scope") == "https://mail.google.com/");
        CHECK(query_param(url, "code_challenge_method") == "S256");
        CHECK(query_param(url, "access_type") == "offline");
        CHECK(query_param(url, "login_hint") == "alerts@example.com");
        term.typed.push_back(query_param(url, "code_challenge"));
        return "http://localhost/?state=" + query_param(url, "state") + "&code=4%2Fcode-1";
    };
    OAuth2State state(dir.path);
    Status st = oauth2_login(config, {"client-secret-1", {}}, http, state, io);
    INFO(term.shown);
    REQUIRE(st);
    REQUIRE(http.sent.size() == 1);
    const auto& sent = http.sent[0];
    CHECK(sent.field("grant_type") == "authorization_code");
    CHECK(sent.field("code") == "4/code-1");
    CHECK(sent.field("redirect_uri") == "http://localhost");
    CHECK(sent.field("client_secret") == "client-secret-1");
    // The verifier sent is the one the challenge in the address was made from.
    CHECK(pkce_challenge(sent.field("code_verifier")) == term.typed.front());
    CHECK(dir.read("oauth2-refresh-token") == "rt-google\n");
}

TEST_CASE("code login: an answer from another login, or refused", "[oauth2_login]") {
    TempStateDir dir;
    Config config = oauth2_config(OAuth2Grant::refresh_token, dir.path);
    config.oauth2.authorize_url = "https://accounts.example.com/auth?hd=example.com";
    OAuth2State state(dir.path);
    {
        ScriptedHttps http;
        Terminal term;
        term.typed = {"http://localhost/?state=old&code=c"};
        LoginIo io = term.io();
        Status st = oauth2_login(config, {}, http, state, io);
        REQUIRE_FALSE(st);
        CHECK_THAT(st.error().message, Catch::Contains("not from this login"));
        CHECK(http.sent.empty());
        CHECK_THAT(term.shown, Catch::Contains("https://accounts.example.com/auth?hd=example.com&"
                                               "response_type=code&"));
    }
    {
        ScriptedHttps http;
        http.reply(400, R"({"error":"invalid_grant","error_description":"Bad code"})");
        Terminal term;
        term.typed = {"bare-code"};
        LoginIo io = term.io();
        Status st = oauth2_login(config, {}, http, state, io);
        REQUIRE_FALSE(st);
        CHECK(st.error().message ==
              "the token endpoint refused the code: invalid_grant (Bad code)");
    }
    // Client credentials need no login.
    Config cc = oauth2_config(OAuth2Grant::client_credentials, dir.path);
    ScriptedHttps http;
    Terminal term;
    LoginIo io = term.io();
    CHECK_THAT(oauth2_login(cc, {}, http, state, io).error().message,
               Catch::Contains("nothing to log in for"));
}
