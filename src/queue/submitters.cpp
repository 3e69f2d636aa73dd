#include "queue/submitters.hpp"

#include <pwd.h>

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace nullrelay {

Submitter look_up_submitter(uid_t uid) {
    Submitter s;
    std::vector<char> buf(16384);
    passwd pw{}, *res = nullptr;
    if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &res) == 0 && res) {
        s.name = pw.pw_name;
        std::string_view gecos = pw.pw_gecos ? pw.pw_gecos : "";
        s.gecos_name = std::string(gecos.substr(0, gecos.find(',')));
    }
    // Names from the password database go into queue files and addresses; refuse odd ones.
    bool plain = !s.name.empty() && std::all_of(s.name.begin(), s.name.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '_' || c == '-' || c == '.';
    });
    if (!plain) s.name = fmt::format("uid{}", uid);
    for (char& c : s.gecos_name)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return s;
}

Submitter SubmitterCache::get(uid_t uid) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = known_.find(uid); it != known_.end()) return it->second;
    }
    Submitter s = look_up_(uid);  // not under the lock: NSS may be slow (LDAP, sssd)
    std::lock_guard lock(mutex_);
    return known_.try_emplace(uid, std::move(s)).first->second;
}

void SubmitterCache::forget() {
    std::lock_guard lock(mutex_);
    known_.clear();
}

}  // namespace nullrelay
