// nullrelay check --connect: logs in to each smarthost without sending mail and shows what it
// offers (SIZE, 8BITMIME, SMTPUTF8). The admin program never reads credentials: it runs
// nullrelayd --check-connect, as the spool's owner (the daemon's user) when run by root.
#pragma once

#include <string>

#include "config/config.hpp"

namespace nullrelay {

// The daemon's report goes to our stdout and stderr; its exit status is returned.
int check_smarthosts(const Config& config, const std::string& config_path, bool verbose);

}  // namespace nullrelay
