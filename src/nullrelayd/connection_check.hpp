// nullrelayd --check-connect, which nullrelay check --connect runs: logs in to each smarthost
// as for mail (TLS and AUTH policy included), sends none, and prints what each offers. It is
// in the daemon because only the daemon reads the credentials.
#pragma once

#include "config/config.hpp"
#include "nullrelayd/credentials.hpp"

namespace nullrelay {

// Prints one report per smarthost on stdout (with `verbose`, the redacted dialogue too).
// EX_OK when every smarthost let us in, EX_UNAVAILABLE otherwise.
int check_connections(const Config& config, const Credentials& credentials, bool verbose);

}  // namespace nullrelay
