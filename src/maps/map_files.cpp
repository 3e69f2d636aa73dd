#include "maps/map_files.hpp"

#include <sys/stat.h>

namespace nullrelay {

MapFiles::MapFiles(const Config& config) {
    for (const std::string* path : {&config.alias_map, &config.sender_map, &config.aliases_file})
        if (!path->empty()) files_.push_back(look(*path));
}

MapFiles::Seen MapFiles::look(const std::string& path) {
    Seen seen;
    seen.path = path;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return seen;
    seen.exists = true;
    seen.device = st.st_dev;
    seen.inode = st.st_ino;
    seen.size = st.st_size;
    seen.modified = st.st_mtim;
    seen.changed = st.st_ctim;  // also catches an edit that restores the old mtime
    return seen;
}

bool MapFiles::same(const Seen& a, const Seen& b) {
    auto eq = [](const timespec& x, const timespec& y) {
        return x.tv_sec == y.tv_sec && x.tv_nsec == y.tv_nsec;
    };
    return a.exists == b.exists && a.device == b.device && a.inode == b.inode && a.size == b.size &&
           eq(a.modified, b.modified) && eq(a.changed, b.changed);
}

bool MapFiles::changed() const {
    for (const Seen& then : files_)
        if (!same(then, look(then.path))) return true;
    return false;
}

}  // namespace nullrelay
