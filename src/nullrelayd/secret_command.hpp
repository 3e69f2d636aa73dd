// Runs password_command: a keyring or OAuth2 token helper whose first line of output is the
// secret. Threats: a helper that hangs or floods (bounded time and output), a shell
// interpreting the configured words (none is involved: the argv is executed as is), and the
// secret leaking through argv, the environment or the log (it only ever travels through a
// pipe into memory; the helper's stderr is logged on failure only, and its stdout never).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace nullrelay {

inline constexpr std::chrono::seconds kSecretCommandTimeout{10};
inline constexpr size_t kSecretCommandOutputLimit = 64 * 1024;

// The first line of the command's standard output, without its line end. Errors (cannot
// start, timed out, killed, exit status not 0, empty first line, too much output) name the
// key (`what`: password_command, oauth2_client_secret_command) and the program, and are
// EX_TEMPFAIL: the mail stays queued and the command runs again later.
Result<std::string> run_secret_command(const std::vector<std::string>& argv,
                                       std::chrono::seconds timeout = kSecretCommandTimeout,
                                       std::string_view what = "password_command");

}  // namespace nullrelay
