#include "control/control_access.hpp"

#include <grp.h>

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "util/sys_error.hpp"

namespace nullrelay {

Result<AccessPolicy> access_policy(const Config& config, std::uint32_t daemon_uid) {
    AccessPolicy policy;
    policy.daemon_uid = daemon_uid;
    policy.everyone_sees_all = config.mailq_visibility == MailqVisibility::all;
    policy.admin_group = config.admin_group;
    if (config.admin_group.empty()) return policy;
    std::vector<char> buf(16384);
    group gr{};
    group* found = nullptr;
    int rc;
    while ((rc = ::getgrnam_r(config.admin_group.c_str(), &gr, buf.data(), buf.size(), &found)) ==
               ERANGE &&
           buf.size() < (1u << 22))
        buf.resize(buf.size() * 2);
    if (rc != 0 || !found)
        return Error{EX_CONFIG, fmt::format("{}: admin_group '{}' is not a group on this system{}",
                                            config.path, config.admin_group,
                                            rc != 0 ? fmt::format(" ({})", errno_text(rc)) : "")};
    policy.admin_gid = found->gr_gid;
    return policy;
}

bool is_admin(const AccessPolicy& policy, const PeerCredentials& peer) {
    if (peer.uid == 0 || peer.uid == policy.daemon_uid) return true;
    if (!policy.admin_gid) return false;
    return peer.gid == *policy.admin_gid || std::find(peer.groups.begin(), peer.groups.end(),
                                                      *policy.admin_gid) != peer.groups.end();
}

Status authorize(const AccessPolicy& policy, const PeerCredentials& peer, Action action) {
    if (!is_privileged(action) || is_admin(policy, peer)) return ok_status();
    std::string who = policy.admin_group.empty()
                          ? "root"
                          : fmt::format("root and members of group {}", policy.admin_group);
    std::string what = action == Action::show    ? "read messages"
                       : action == Action::flush ? "flush the queue"
                                                 : "change the queue";
    return Error{EX_NOPERM, fmt::format("permission denied: only {} may {} (nullrelay {}); "
                                        "see admin_group in nullrelay.conf(5)",
                                        who, what, to_string(action))};
}

std::optional<std::uint32_t> listing_filter(const AccessPolicy& policy,
                                            const PeerCredentials& peer) {
    if (policy.everyone_sees_all || is_admin(policy, peer)) return std::nullopt;
    return peer.uid;
}

}  // namespace nullrelay
