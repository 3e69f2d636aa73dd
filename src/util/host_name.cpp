#include "util/host_name.hpp"

#include <netdb.h>
#include <unistd.h>

#include <fstream>

#include "util/text.hpp"

namespace nullrelay {

std::string local_host_name() {
    // Debian's convention for the mail name of the host, as Postfix and exim read it.
    if (std::ifstream in("/etc/mailname"); in) {
        std::string line;
        std::getline(in, line);
        std::string name = to_lower(trim(line));
        if (!name.empty() && name.find('.') != std::string::npos) return name;
    }
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
    std::string name = to_lower(buf);
    if (name.find('.') != std::string::npos) return name;
    addrinfo hints{};
    hints.ai_flags = AI_CANONNAME;
    hints.ai_family = AF_UNSPEC;
    addrinfo* res = nullptr;
    if (::getaddrinfo(name.c_str(), nullptr, &hints, &res) == 0 && res) {
        if (res->ai_canonname && std::string_view(res->ai_canonname).find('.') != std::string::npos)
            name = to_lower(res->ai_canonname);
        ::freeaddrinfo(res);
    }
    return name;
}

}  // namespace nullrelay
