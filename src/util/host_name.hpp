// The name this host calls itself in EHLO, Message-ID and qualified addresses.
#pragma once

#include <string>

namespace nullrelay {

// The fully qualified name when the system knows one (/etc/mailname, then gethostname() and
// its canonical name from the resolver's files), else the short name.
std::string local_host_name();

}  // namespace nullrelay
