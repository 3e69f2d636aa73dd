#include "queue/spool_layout.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include "util/sys_error.hpp"

namespace nullrelay {

std::string_view to_string(SpoolDir dir) {
    switch (dir) {
        case SpoolDir::maildrop:
            return "maildrop";
        case SpoolDir::data:
            return "data";
        case SpoolDir::queue:
            return "queue";
        case SpoolDir::hold:
            return "hold";
        case SpoolDir::failed:
            return "failed";
        case SpoolDir::corrupt:
            return "corrupt";
    }
    return "queue";
}

std::string SpoolLayout::path(SpoolDir dir) const {
    return fmt::format("{}/{}", root_, to_string(dir));
}

Result<SpoolLayout::Owner> SpoolLayout::owner() const {
    std::string queue = path(SpoolDir::queue);
    struct stat st;
    if (::stat(queue.c_str(), &st) != 0)
        return Error{EX_NOINPUT,
                     fmt::format("cannot read the spool {}: {}", queue, errno_text(errno))};
    return Owner{st.st_uid, st.st_gid};
}

}  // namespace nullrelay
