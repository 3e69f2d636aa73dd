#include "util/program_path.hpp"

#include <unistd.h>

#include <climits>

namespace nullrelay {

std::string sibling_program(const std::string& name) {
    char buf[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return "/usr/sbin/" + name;
    std::string self(buf, static_cast<size_t>(n));
    return self.substr(0, self.rfind('/') + 1) + name;
}

}  // namespace nullrelay
