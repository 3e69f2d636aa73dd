// `nullrelay oauth2 login`, which the admin program runs as `nullrelayd oauth2 login` under the
// daemon's user: obtains the refresh token once, interactively, on a machine that has no
// browser. With oauth2_device_url, the device authorization grant (RFC 8628: the admin opens
// a URL on any device and types a code; Microsoft); otherwise with oauth2_authorize_url, the
// authorization code grant with PKCE (RFC 7636: the admin opens the printed URL anywhere,
// signs in, and pastes back the address the browser was sent to, or just its code; Google).
// The refresh token is saved in oauth2_state_dir (oauth2_state.hpp) and never printed.
// Threats: a code pasted from another login (state is checked), a stolen code (useless
// without the PKCE verifier, which never leaves this process).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "nullrelayd/https_client.hpp"
#include "nullrelayd/oauth2_state.hpp"
#include "nullrelayd/oauth2_tokens.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"

namespace nullrelay {

// The terminal, and time: tests script both.
struct LoginIo {
    std::function<void(std::string_view)> print;
    std::function<std::optional<std::string>()> read_line;  // nullopt at the end of input
    std::function<void(std::chrono::seconds)> sleep;
    Clock clock = wall_clock();
};

Status oauth2_login(const Config& config, const ClientSecret& secret, HttpsClient& http,
                    const OAuth2State& state, LoginIo& io);

// RFC 7636 4.2: BASE64URL(SHA256(verifier)), the S256 code challenge.
std::string pkce_challenge(std::string_view verifier);
// RFC 7636 4.1: 43 characters of BASE64URL from 32 random bytes (also used for `state`).
std::string random_urlsafe(size_t bytes = 32);
// The address to open: oauth2_authorize_url with the request in its query.
std::string authorization_url(const Config& config, std::string_view challenge,
                              std::string_view state);

// What the admin pasted: the address the browser was sent to, its query, or the bare code.
struct PastedAnswer {
    std::string code;
    std::string state;  // "" when only a code was pasted
    bool whole_address = false;
};
Result<PastedAnswer> parse_pasted_answer(std::string_view text);

}  // namespace nullrelay
