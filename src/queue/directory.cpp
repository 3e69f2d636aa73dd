#include "queue/directory.hpp"

#include <dirent.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <string_view>

namespace nullrelay {

std::vector<std::string> directory_names(int dirfd) {
    std::vector<std::string> names;
    int fd = ::dup(dirfd);
    DIR* dir = fd >= 0 ? ::fdopendir(fd) : nullptr;
    if (!dir) {
        if (fd >= 0) ::close(fd);
        return names;
    }
    ::rewinddir(dir);  // a dup()ed fd shares its offset with every earlier listing
    while (dirent* ent = ::readdir(dir)) {
        std::string_view n = ent->d_name;
        if (n != "." && n != "..") names.emplace_back(n);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

std::uint64_t free_bytes(int dirfd) {
    struct statvfs st;
    if (::fstatvfs(dirfd, &st) != 0) return UINT64_MAX;
    return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

}  // namespace nullrelay
