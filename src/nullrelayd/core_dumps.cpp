#include "nullrelayd/core_dumps.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>

#include <fmt/format.h>

#include "util/sys_error.hpp"

namespace nullrelay {

Status forbid_core_dumps() {
    rlimit none{0, 0};
    if (::setrlimit(RLIMIT_CORE, &none) != 0 || ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        return Error{EX_OSERR, fmt::format("cannot forbid core dumps: {}", errno_text(errno))};
    return ok_status();
}

}  // namespace nullrelay
