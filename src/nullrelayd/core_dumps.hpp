// Keeps the smarthost secret out of core dumps: the daemon holds the password (or a token) in
// memory, so it is made non-dumpable (no core file, no ptrace by the same user, /proc files of
// the process owned by root) and its core size limit is 0, before it reads any secret.
#pragma once

#include "util/result.hpp"

namespace nullrelay {

Status forbid_core_dumps();

}  // namespace nullrelay
