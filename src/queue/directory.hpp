// Listing a spool directory (the one readdir loop of the queue module), and the free space of
// the file system it is on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nullrelay {

// The names in the directory open as `dirfd` (not "." and ".."), sorted. The fd's own offset
// is left alone (the listing reads through a dup'ed and rewound descriptor).
std::vector<std::string> directory_names(int dirfd);

// Bytes an unprivileged process may still write on the file system of `dirfd` (statvfs
// f_bavail); the largest value when it cannot be told, so that a failing check never stops mail.
std::uint64_t free_bytes(int dirfd);

}  // namespace nullrelay
