// Tests for oauth2_tokens.hpp: the daemon's access tokens, their cache and renewal, refusals,
// failures and the refresh token's rotation, against a scripted token endpoint and a clock
// the test moves.
#include "nullrelayd/oauth2_tokens.hpp"

#include <catch2/catch.hpp>

#include "oauth2_fixture.hpp"

using namespace nullrelay;
using namespace nullrelay::test;

namespace {

struct Rig {
    TempStateDir dir;
    double now = 1'000'000;
    ScriptedHttps* http = nullptr;  // owned by tokens
    std::unique_ptr<OAuth2Tokens> tokens;

    explicit Rig(OAuth2Grant grant, ClientSecret secret = {"s3cret-client-value", {}}) {
        auto h = std::make_unique<ScriptedHttps>();
        http = h.get();
        tokens = std::make_unique<OAuth2Tokens>(oauth2_config(grant, dir.path).oauth2,
                                                std::move(secret), std::move(h),
                                                std::chrono::seconds(60), manual_clock(&now));
    }
    std::string token() {
        auto t = tokens->access_token();
        INFO((t ? "" : t.error().message));
        REQUIRE(t);
        return *t;
    }
    std::string failure() {
        auto t = tokens->access_token();
        REQUIRE_FALSE(t);
        CHECK(t.error().exit_code == EX_TEMPFAIL);
        return t.error().message;
    }
    OAuth2Status status() const { return OAuth2State(dir.path).read_status(); }
};

}  // namespace

TEST_CASE(
    "client credentials: the request, and the token kept until a quarter of its life "
    "is left",
    "[oauth2_tokens]") {
    Rig rig(OAuth2Grant::client_credentials);
    rig.http->reply(200, token_json("at-1", 3600));
    CHECK(rig.token() == "at-1");
    REQUIRE(rig.http->sent.size() == 1);
    const auto& sent = rig.http->sent[0];
    CHECK(sent.url == "https://login.example.com/token");
    CHECK(sent.field("grant_type") == "client_credentials");
    CHECK(sent.field("client_id") == "client-1");
    CHECK(sent.field("client_secret") == "s3cret-client-value");
    CHECK(sent.field("scope") == "https://outlook.office365.com/.default");
    // Cached: no request while more than 5 minutes (at most a quarter) are left.
    rig.now += 3600 - 301;
    CHECK(rig.token() == "at-1");
    CHECK(rig.http->sent.size() == 1);
    rig.now += 2;
    rig.http->reply(200, token_json("at-2", 3600));
    CHECK(rig.token() == "at-2");
    CHECK(rig.http->sent.size() == 2);
    // A short-lived token is replaced after three quarters of its life.
    rig.http->replies.clear();
    rig.http->reply(200, token_json("at-3", 8));
    rig.now += 3600;
    CHECK(rig.token() == "at-3");
    rig.now += 5.9;
    CHECK(rig.token() == "at-3");
    rig.http->reply(200, token_json("at-4", 8));
    rig.now += 0.2;
    CHECK(rig.token() == "at-4");
    auto st = rig.status();
    CHECK(st.token_obtained == static_cast<std::int64_t>(rig.now));
    CHECK(st.token_expires == st.token_obtained + 8);
    CHECK(st.error.empty());
}

TEST_CASE("a refused token is replaced once; a fresh one refused too is kept for retry_min",
          "[oauth2_tokens]") {
    Rig rig(OAuth2Grant::client_credentials);
    rig.http->reply(200, token_json("at-1", 3600));
    CHECK(rig.token() == "at-1");
    CHECK(rig.tokens->refused("at-1"));  // worth a new one
    rig.http->reply(200, token_json("at-2", 3600));
    CHECK(rig.token() == "at-2");
    // Refused again right after: a third token would not do better.
    CHECK_FALSE(rig.tokens->refused("at-2"));
    CHECK(rig.token() == "at-2");
    CHECK(rig.http->sent.size() == 2);
    // A refusal of a token already replaced (by another delivery thread) costs nothing.
    CHECK(rig.tokens->refused("at-0"));
    CHECK(rig.token() == "at-2");
    // retry_min later the endpoint is asked again (the admin may have fixed the permissions).
    rig.now += 61;
    rig.http->reply(200, token_json("at-3", 3600));
    CHECK(rig.token() == "at-3");
    CHECK(rig.tokens->refused("at-3"));
    rig.http->reply(200, token_json("at-4", 3600));
    CHECK(rig.token() == "at-4");
    // Once accepted, a token obtained after a refusal is like any other: refused later (it
    // was revoked, or expired early), it is replaced at once.
    rig.tokens->accepted("at-4");
    rig.now += 10;
    CHECK(rig.tokens->refused("at-4"));
    rig.http->reply(200, token_json("at-5", 3600));
    CHECK(rig.token() == "at-5");
}

TEST_CASE("refresh token grant: read at each use, rotation saved atomically with mode 0600",
          "[oauth2_tokens]") {
    Rig rig(OAuth2Grant::refresh_token, {});  // a public client: no secret
    CHECK_THAT(rig.failure(),
               Catch::Contains("no refresh token yet (" + rig.dir.file("oauth2-refresh-token") +
                               " does not exist): run `nullrelay oauth2 login`"));
    CHECK(rig.http->sent.empty());
    CHECK_THAT(rig.status().error, Catch::Contains("run `nullrelay oauth2 login`"));
    // A login (a new file) is taken at once, though the failure is recent.
    rig.dir.write("oauth2-refresh-token", "rt-1\n");
    rig.http->reply(200, token_json("at-1", 3600, "rt-2"));
    CHECK(rig.token() == "at-1");
    REQUIRE(rig.http->sent.size() == 1);
    CHECK(rig.http->sent[0].field("grant_type") == "refresh_token");
    CHECK(rig.http->sent[0].field("refresh_token") == "rt-1");
    CHECK(rig.http->sent[0].field("client_secret") == "<absent>");
    CHECK(rig.dir.read("oauth2-refresh-token") == "rt-2\n");
    CHECK(rig.dir.mode("oauth2-refresh-token") == 0600);
    CHECK_FALSE(std::filesystem::exists(rig.dir.file(".oauth2-refresh-token.tmp")));
    CHECK(rig.status().refresh_saved == static_cast<std::int64_t>(rig.now));
    CHECK(rig.status().error.empty());
    // The next refresh spends the rotated token; the same token back is not a rotation.
    rig.now += 3600;
    rig.http->reply(200, token_json("at-2", 3600, "rt-2"));
    CHECK(rig.token() == "at-2");
    CHECK(rig.http->sent[1].field("refresh_token") == "rt-2");
    CHECK(rig.dir.read("oauth2-refresh-token") == "rt-2\n");
}

TEST_CASE("a revoked refresh token: a clear reason with the hint, scrubbed of secrets",
          "[oauth2_tokens]") {
    Rig rig(OAuth2Grant::refresh_token);
    rig.dir.write("oauth2-refresh-token", "rt-revoked-0123456789\n");
    rig.http->reply(400, R"({"error":"invalid_grant","error_description":
        "Token rt-revoked-0123456789 has been expired or revoked."})");
    std::string why = rig.failure();
    CHECK(why == "OAuth2: the token endpoint refused the refresh token in " +
                     rig.dir.file("oauth2-refresh-token") +
                     ": invalid_grant (Token <redacted> has been expired or revoked.); it was "
                     "revoked or has expired: run `nullrelay oauth2 login`");
    CHECK(rig.status().error == why);
    CHECK(rig.status().error_at == static_cast<std::int64_t>(rig.now));
    // Not asked again for retry_min (every queued message would ask), unless a login happens.
    CHECK(rig.failure() == why);
    CHECK(rig.http->sent.size() == 1);
    rig.now += 61;
    rig.http->reply(400, R"({"error":"invalid_grant"})");
    CHECK_THAT(rig.failure(), Catch::Contains("invalid_grant"));
    CHECK(rig.http->sent.size() == 2);
    rig.dir.write("oauth2-refresh-token", "rt-new\n");
    rig.http->reply(200, token_json("at-1", 3600));
    CHECK(rig.token() == "at-1");
    CHECK(rig.status().error.empty());
}

TEST_CASE("endpoint failures defer; an old token with time left is used meanwhile",
          "[oauth2_tokens]") {
    Rig rig(OAuth2Grant::client_credentials);
    rig.http->unreachable();
    CHECK(rig.failure() == "OAuth2: cannot reach https://t.example/token: refused");
    rig.now += 61;
    rig.http->reply(502, "<html>bad gateway</html>");
    CHECK(rig.failure() ==
          "OAuth2: the token endpoint https://login.example.com/token answered HTTP 502 without "
          "a JSON object (not an OAuth2 reply)");
    rig.now += 61;
    rig.http->reply(401, R"({"error":"invalid_client","error_description":"bad secret"})");
    CHECK(rig.failure() ==
          "OAuth2: the token endpoint refused the client client-1: invalid_client (bad secret); "
          "check oauth2_client_id and the client secret");
    rig.now += 61;
    rig.http->reply(200, token_json("at-1", 3600));
    CHECK(rig.token() == "at-1");
    // Renewal fails while the token still has 5 minutes: keep using it.
    rig.now += 3400;
    rig.http->unreachable();
    CHECK(rig.token() == "at-1");
    rig.now += 10;
    CHECK(rig.token() == "at-1");  // within retry_min: not asked again
    CHECK(rig.http->sent.size() == 5);
    rig.now += 200;  // expired now
    rig.http->unreachable();
    CHECK_THAT(rig.failure(), Catch::Contains("cannot reach"));
}

TEST_CASE("the client secret from a command, and its failure", "[oauth2_tokens]") {
    Rig rig(OAuth2Grant::client_credentials, {"", {"/bin/sh", "-c", "echo cmd-secret-value"}});
    rig.http->reply(200, token_json("at-1", 3600));
    CHECK(rig.token() == "at-1");
    CHECK(rig.http->sent[0].field("client_secret") == "cmd-secret-value");
    Rig broken(OAuth2Grant::client_credentials, {"", {"/bin/sh", "-c", "echo no >&2; exit 1"}});
    CHECK_THAT(
        broken.failure(),
        Catch::Contains("oauth2_client_secret_command /bin/sh: exit status 1 (it said: no)"));
    CHECK(broken.http->sent.empty());
}

TEST_CASE("check() asks now, whatever is cached", "[oauth2_tokens]") {
    Rig rig(OAuth2Grant::client_credentials);
    rig.http->reply(200, token_json("at-1", 3600));
    CHECK(rig.token() == "at-1");
    rig.http->reply(200, token_json("at-2", 1800));
    auto life = rig.tokens->check();
    REQUIRE(life);
    CHECK(*life == 1800);
    CHECK(rig.token() == "at-2");
}

TEST_CASE("unsafe state: a refresh token others can read is refused", "[oauth2_tokens]") {
    Rig rig(OAuth2Grant::refresh_token);
    rig.dir.write("oauth2-refresh-token", "rt-1\n", 0644);
    CHECK_THAT(rig.failure(), Catch::Contains("must be owned by the nullrelay user") &&
                                  Catch::Contains("mode 0600 (it is uid") &&
                                  Catch::Contains("mode 0644"));
    CHECK(rig.http->sent.empty());
    ::chmod(rig.dir.path.c_str(), 0777);
    CHECK_THAT(OAuth2State(rig.dir.path).check_dir().error().message,
               Catch::Contains("is writable by every user"));
}

TEST_CASE("the status file: a versioned record, no secret in it", "[oauth2_tokens]") {
    OAuth2Status s{1, 2, 3, 4, 5, "OAuth2: why\nnext"};
    std::string text = format_oauth2_status(s);
    CHECK(text ==
          "nullrelay-oauth2-status 1\ntoken_obtained 1\ntoken_expires 2\nrefresh_saved 3\n"
          "refresh_expires 4\nerror_at 5\nerror OAuth2: why next\n");
    auto back = parse_oauth2_status(text + "future_field 9\n");
    REQUIRE(back);
    s.error = "OAuth2: why next";
    CHECK(*back == s);
    CHECK_FALSE(parse_oauth2_status("something else\n"));
    CHECK_FALSE(parse_oauth2_status("nullrelay-oauth2-status 1\ntoken_expires x\n"));
    CHECK(scrub_secrets("a secret-1234 b secret-1234", {"secret-1234", ""}) ==
          "a <redacted> b <redacted>");
}
