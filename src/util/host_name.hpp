// The name this host calls itself in EHLO, Message-ID and qualified addresses.
#pragma once

#include <string>
#include <string_view>

namespace nullrelay {

// What the system says about its name, gathered by local_host_name().
struct HostNameSources {
    std::string mailname;   // /etc/mailname's first line, "" when there is none
    std::string host_name;  // gethostname()
    std::string canonical;  // the resolver's canonical name for host_name, "" when none
};

struct LocalHostName {
    std::string name;      // the name to use, lower case
    std::string own_name;  // gethostname()'s, lower case: still a local domain when `name`
                           // differs (mail to root@vm stays local once vm is qualified)
    std::string source;    // where `name` came from, for `nullrelay check`
    bool qualified() const { return name.find('.') != std::string::npos; }
};

// The first qualified name of: /etc/mailname (Debian's mail name of the host, as Postfix and
// exim read it), the host name when it has a dot, the resolver's canonical name for it, the
// host name qualified with `domain` (sender_domain). None qualified (no domain either): the
// bare host name, which spam filters score (an unqualified EHLO or Message-ID), so
// `nullrelay check` and the daemon warn about it.
LocalHostName choose_host_name(const HostNameSources& sources, std::string_view domain);

// choose_host_name() over this system's /etc/mailname, gethostname() and resolver.
LocalHostName local_host_name(std::string_view domain);

bool is_qualified_host_name(std::string_view name);

}  // namespace nullrelay
