// Reads the JSON replies of OAuth2 endpoints with nlohmann::json (Debian's
// nlohmann-json3-dev): the token endpoint's (RFC 6749 section 5) and the device authorization
// endpoint's (RFC 8628 section 3.2). Only nullrelayd includes it; the setgid
// nullrelay-sendmail never does (tests/layout/sendmail_links.sh). Threat: a reply is remote
// input. Tokens must be visible ASCII (they go into an SMTP AUTH line and a one-line file),
// numbers must be in range, and text meant for a log line is made one line and shortened.
#pragma once

#include <cstdint>
#include <string>

#include "nullrelayd/https_client.hpp"
#include "util/result.hpp"

namespace nullrelay {

// What the token endpoint said: a token, or an OAuth2 error (`error` is then set).
struct TokenReply {
    std::string access_token;
    std::string token_type;                     // "Bearer" (case-insensitive)
    std::int64_t expires_in = 0;                // seconds; 0 when the reply does not say
    std::string refresh_token;                  // "" when none was issued (or it was not rotated)
    std::int64_t refresh_token_expires_in = 0;  // seconds, when the provider says (Google)

    std::string error;        // "invalid_grant", "authorization_pending"...; "" on success
    std::string description;  // error_description, one line, shortened
};

// A token, or an OAuth2 error reply; an Error when the reply is neither (not JSON, an HTTP 5xx
// page, a token that is not a bearer token).
Result<TokenReply> parse_token_reply(const HttpReply& reply);

// What the device authorization endpoint said (RFC 8628 section 3.2).
struct DeviceAuthorization {
    std::string device_code;
    std::string user_code;
    std::string verification_uri;           // Google spells it verification_url
    std::string verification_uri_complete;  // with the code in it, when offered
    std::int64_t expires_in = 0;
    std::int64_t interval = 5;  // seconds between polls (the RFC's default)

    std::string error;
    std::string description;
};

Result<DeviceAuthorization> parse_device_reply(const HttpReply& reply);

// "invalid_grant (Token has been expired or revoked.)", or "invalid_grant".
std::string describe_oauth2_error(const std::string& error, const std::string& description);

}  // namespace nullrelay
