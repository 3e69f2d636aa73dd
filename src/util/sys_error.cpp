#include "util/sys_error.hpp"

#include <cstring>

namespace nullrelay {

std::string errno_text(int err) {
    return std::strerror(err);
}

}  // namespace nullrelay
