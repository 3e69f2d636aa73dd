// The files the address maps were loaded from (alias_map, sender_map, aliases_file), as they
// were when looked at: the daemon notices an edited /etc/aliases or map before its next
// pickup and reloads, as Postfix's daemons notice a rebuilt aliases.db. No step between
// editing and effect is needed; newaliases only checks.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "config/config.hpp"

namespace nullrelay {

class MapFiles {
  public:
    MapFiles() = default;
    // Records the files `config` names, as they are now (before they are loaded, so that an
    // edit during the load is noticed next time).
    explicit MapFiles(const Config& config);

    // Whether any of them was written, replaced, created or removed since.
    bool changed() const;

  private:
    struct Seen {
        std::string path;
        bool exists = false;
        dev_t device = 0;
        ino_t inode = 0;
        off_t size = 0;
        timespec modified{};
        timespec changed{};
    };
    static Seen look(const std::string& path);
    static bool same(const Seen& a, const Seen& b);

    std::vector<Seen> files_;
};

}  // namespace nullrelay
