// `nullrelay oauth2 login|status` and the token check of `nullrelay check`. They are run by
// `nullrelayd oauth2 ...`, the one program that reads credentials and links libcurl: this
// program, which every mailq and `sendmail -bp` starts, starts faster without libcurl and its
// libraries (measured: about 4 times the start-up cost), and stays unable to read secrets.
//
// SECURITY: root gives up root for the spool's owner (the daemon's user) before nullrelayd
// starts, so the refresh token file it writes is the daemon's (mode 0600) and the client
// secret is read with the daemon's rights only; any other user is refused (they could not
// read the secrets anyway). Nothing secret passes through this process.
#pragma once

#include <string>
#include <string_view>

#include "config/config.hpp"

namespace nullrelay {

// Runs `nullrelayd -C config_path oauth2 <command>` as the daemon's user, on this terminal;
// returns its exit status (a sysexits code).
int run_daemon_oauth2(const Config& config, const std::string& config_path,
                      std::string_view command);

// Whether this caller may do that: root, or the spool's owner itself.
bool may_act_as_daemon(const Config& config);

}  // namespace nullrelay
