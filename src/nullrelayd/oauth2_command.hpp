// nullrelayd's one-shot OAuth2 commands, which the admin program runs as the daemon's user
// (`nullrelay oauth2 login|status`, and `nullrelay check`): nullrelayd alone reads
// credentials and links libcurl. `login` obtains and saves a refresh token (oauth2_login.hpp),
// `check` obtains an access token now without sending mail, `status` shows the grant, the
// refresh token's times and the last error (oauth2_state.hpp). No token is ever printed.
#pragma once

#include <string_view>

#include "config/config.hpp"

namespace nullrelay {

// Runs one of "login", "check", "status"; returns a sysexits code (messages on stdout/stderr).
int oauth2_command(const Config& config, std::string_view command);

}  // namespace nullrelay
