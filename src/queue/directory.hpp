// Listing a spool directory: the one readdir loop of the queue module.
#pragma once

#include <string>
#include <vector>

namespace nullrelay {

// The names in the directory open as `dirfd` (not "." and ".."), sorted. The fd's own offset
// is left alone (the listing reads through a dup'ed and rewound descriptor).
std::vector<std::string> directory_names(int dirfd);

}  // namespace nullrelay
