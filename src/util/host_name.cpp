#include "util/host_name.hpp"

#include <netdb.h>
#include <unistd.h>

#include <fstream>

#include "util/text.hpp"

namespace nullrelay {

bool is_qualified_host_name(std::string_view name) {
    std::string_view n = trim(name);
    return n.find('.') != std::string_view::npos && n.front() != '.' && n.back() != '.';
}

LocalHostName choose_host_name(const HostNameSources& s, std::string_view domain) {
    LocalHostName h;
    h.own_name = to_lower(trim(s.host_name));
    while (!h.own_name.empty() && h.own_name.back() == '.')
        h.own_name.pop_back();  // "vm."
    if (std::string mailname = to_lower(trim(s.mailname)); is_qualified_host_name(mailname)) {
        h.name = mailname;
        h.source = "/etc/mailname";
    } else if (is_qualified_host_name(h.own_name)) {
        h.name = h.own_name;
        h.source = "the host name";
    } else if (is_qualified_host_name(s.canonical)) {
        h.name = to_lower(trim(s.canonical));
        h.source = "the resolver's name for the host";
    } else if (!h.own_name.empty() && is_qualified_host_name(domain)) {
        h.name = h.own_name + "." + to_lower(trim(domain));
        h.source = "the host name qualified with sender_domain";
    } else {
        h.name = h.own_name.empty() ? "localhost" : h.own_name;
        h.source = "the host name";
    }
    return h;
}

LocalHostName local_host_name(std::string_view domain) {
    HostNameSources s;
    if (std::ifstream in("/etc/mailname"); in) std::getline(in, s.mailname);
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) == 0) s.host_name = buf;
    // The resolver only when nothing before it gives a qualified name: it may ask DNS.
    if (!is_qualified_host_name(s.mailname) && !is_qualified_host_name(s.host_name) &&
        !s.host_name.empty()) {
        addrinfo hints{};
        hints.ai_flags = AI_CANONNAME;
        hints.ai_family = AF_UNSPEC;
        addrinfo* res = nullptr;
        if (::getaddrinfo(s.host_name.c_str(), nullptr, &hints, &res) == 0 && res) {
            if (res->ai_canonname) s.canonical = res->ai_canonname;
            ::freeaddrinfo(res);
        }
    }
    return choose_host_name(s, domain);
}

}  // namespace nullrelay
