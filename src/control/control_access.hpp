// Who may do what through the control socket, decided from the kernel's word about the caller
// (SO_PEERCRED, SO_PEERGROUPS), never from anything the caller sends.
//
// SECURITY:
// - Admins are root, the daemon's own user (who owns the spool anyway) and members of
//   admin_group (primary or supplementary group of the connecting process). Only they may
//   change the queue (flush, hold, release, delete, requeue) or read a message (show): the
//   threat is a local user deleting or reading other people's mail, or holding an alert.
// - Anyone may list. A non-admin sees, by default (mailq_visibility = own), only the
//   envelopes of the messages they submitted themselves: the submitter is the owner of the
//   maildrop file, recorded by the daemon at pickup, never a value from the message. With
//   mailq_visibility = all, everyone sees every envelope (as with Postfix's mailq). Nobody
//   but an admin ever gets message content.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "control/control_socket.hpp"
#include "control/queue_commands.hpp"
#include "util/result.hpp"

namespace nullrelay {

struct AccessPolicy {
    std::uint32_t daemon_uid = 0;
    std::optional<std::uint32_t> admin_gid;
    std::string admin_group;  // its name, for messages
    bool everyone_sees_all = false;
};

// Looks admin_group up in the group database. An unknown group is an error.
Result<AccessPolicy> access_policy(const Config& config, std::uint32_t daemon_uid);

bool is_admin(const AccessPolicy& policy, const PeerCredentials& peer);
// EX_NOPERM, with a message saying who may, when the peer may not.
Status authorize(const AccessPolicy& policy, const PeerCredentials& peer, Action action);
// For list: the one submitter whose messages the peer may see, or nullopt for all.
std::optional<std::uint32_t> listing_filter(const AccessPolicy& policy,
                                            const PeerCredentials& peer);

}  // namespace nullrelay
