// Tests for oauth2_reply.hpp: the token and device endpoints' JSON, read with nlohmann::json.
#include "nullrelayd/oauth2_reply.hpp"

#include <catch2/catch.hpp>

using namespace nullrelay;

TEST_CASE("parse_token_reply: tokens, lifetimes and rotation", "[oauth2_reply]") {
    auto r = parse_token_reply({200, R"({"access_token":"at-1.x_y~z+/=","token_type":"Bearer",
        "expires_in":3599,"refresh_token":"rt-2","refresh_token_expires_in":604800,
        "scope":"https://mail.google.com/"})"});
    REQUIRE(r);
    CHECK(r->error.empty());
    CHECK(r->access_token == "at-1.x_y~z+/=");
    CHECK(r->expires_in == 3599);
    CHECK(r->refresh_token == "rt-2");
    CHECK(r->refresh_token_expires_in == 604800);

    // Azure AD v1 sends the lifetime as a string; a missing one is 0 ("not said").
    auto v1 = parse_token_reply({200, R"({"access_token":"a","token_type":"bearer",
                                          "expires_in":"3600"})"});
    REQUIRE(v1);
    CHECK(v1->expires_in == 3600);
    CHECK(v1->refresh_token.empty());
    auto silent = parse_token_reply({200, R"({"access_token":"a","token_type":"Bearer"})"});
    REQUIRE(silent);
    CHECK(silent->expires_in == 0);
    // Nonsense lifetimes are clamped, never negative.
    auto negative =
        parse_token_reply({200, R"({"access_token":"a","token_type":"Bearer","expires_in":-5})"});
    REQUIRE(negative);
    CHECK(negative->expires_in == 0);
}

TEST_CASE("parse_token_reply: OAuth2 errors are replies, with their description",
          "[oauth2_reply]") {
    auto r = parse_token_reply({400, R"({"error":"invalid_grant",
        "error_description":"AADSTS70008: The refresh token has expired.\r\nTrace ID: 1"})"});
    REQUIRE(r);
    CHECK(r->error == "invalid_grant");
    CHECK(r->description == "AADSTS70008: The refresh token has expired.  Trace ID: 1");
    CHECK(describe_oauth2_error(r->error, r->description) ==
          "invalid_grant (AADSTS70008: The refresh token has expired.  Trace ID: 1)");
    CHECK(describe_oauth2_error("access_denied", "") == "access_denied");
    auto pending = parse_token_reply({400, R"({"error":"authorization_pending"})"});
    REQUIRE(pending);
    CHECK(pending->error == "authorization_pending");
    // A long description is cut.
    auto chatty = parse_token_reply({400, "{\"error\":\"server_error\",\"error_description\":\"" +
                                              std::string(1000, 'x') + "\"}"});
    REQUIRE(chatty);
    CHECK(chatty->description.size() < 310);
}

TEST_CASE("parse_token_reply: what is not an OAuth2 reply is an error", "[oauth2_reply]") {
    const std::vector<std::pair<std::string, HttpReply>> table = {
        {"an HTML error page", {502, "<html>Bad gateway</html>"}},
        {"JSON but not an object", {200, "[1,2]"}},
        {"a 5xx without error", {503, "{}"}},
        {"no access_token", {200, R"({"token_type":"Bearer"})"}},
        {"an access_token that is a number", {200, R"({"access_token":5,"token_type":"Bearer"})"}},
        {"a token with a line break",
         {200, R"({"access_token":"a\r\nMAIL FROM:<x>","token_type":"Bearer"})"}},
        {"not a bearer token", {200, R"({"access_token":"a","token_type":"mac"})"}},
        {"a refresh token with a blank", {200, R"({"access_token":"a","token_type":"Bearer",
                                                    "refresh_token":"r t"})"}},
        {"truncated JSON", {200, R"({"access_token":"a",)"}},
    };
    for (const auto& [label, reply] : table) {
        INFO(label);
        auto r = parse_token_reply(reply);
        REQUIRE_FALSE(r);
        CHECK(r.error().exit_code == EX_TEMPFAIL);
    }
}

TEST_CASE("parse_device_reply: RFC 8628 and Google's spelling", "[oauth2_reply]") {
    auto ms = parse_device_reply({200, R"({"device_code":"dc-1","user_code":"ABCD-EFGH",
        "verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5,
        "message":"To sign in, use a web browser..."})"});
    REQUIRE(ms);
    CHECK(ms->device_code == "dc-1");
    CHECK(ms->user_code == "ABCD-EFGH");
    CHECK(ms->verification_uri == "https://microsoft.com/devicelogin");
    CHECK(ms->expires_in == 900);
    CHECK(ms->interval == 5);
    auto google = parse_device_reply({200, R"({"device_code":"dc","user_code":"GQVQ-JKEC",
        "verification_url":"https://www.google.com/device","expires_in":1800})"});
    REQUIRE(google);
    CHECK(google->verification_uri == "https://www.google.com/device");
    CHECK(google->interval == 5);  // the RFC's default
    auto refused = parse_device_reply({400, R"({"error":"invalid_client"})"});
    REQUIRE(refused);
    CHECK(refused->error == "invalid_client");
    CHECK_FALSE(parse_device_reply({200, R"({"user_code":"X"})"}));
}
