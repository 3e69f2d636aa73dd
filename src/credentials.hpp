// Loads the smarthost password. Only the daemon calls this.
#pragma once

#include "config.hpp"
#include "result.hpp"
#include "smtp_session.hpp"

namespace nullrelay {

// Reads password_file (its first line). Threat: a password other local users can read; the
// file is refused when every user may read it.
Result<Credentials> load_credentials(const Config& config);

}  // namespace nullrelay
