#include "control/control_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>

#include <fmt/format.h>

#include "util/sys_error.hpp"

namespace nullrelay {

namespace {

Result<sockaddr_un> address_of(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path)
        return Error{EX_CONFIG, fmt::format("socket path too long: {}", path)};
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    return addr;
}

}  // namespace

Result<UniqueFd> listen_control_socket(const std::string& path) {
    auto addr = address_of(path);
    if (!addr) return addr.error();
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return Error{EX_OSERR, fmt::format("socket: {}", errno_text(errno))};
    ::unlink(path.c_str());  // left over from a previous run; we hold the spool lock
    // Created 0600, then opened up: never a moment with wider rights than intended.
    mode_t old = ::umask(077);
    int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&*addr), sizeof *addr);
    ::umask(old);
    if (rc != 0) return Error{EX_OSERR, fmt::format("cannot bind {}: {}", path, errno_text(errno))};
    if (::chmod(path.c_str(), 0666) != 0 || ::listen(fd.get(), 64) != 0)
        return Error{EX_OSERR, fmt::format("cannot listen on {}: {}", path, errno_text(errno))};
    return fd;
}

Result<UniqueFd> connect_control_socket(const std::string& path) {
    auto addr = address_of(path);
    if (!addr) return addr.error();
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return Error{EX_OSERR, fmt::format("socket: {}", errno_text(errno))};
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&*addr), sizeof *addr) != 0) {
        int err = errno;
        if (err == ENOENT || err == ECONNREFUSED)
            return Error{EX_UNAVAILABLE, "nullrelayd is not running"};
        return Error{err == EACCES ? EX_NOPERM : EX_UNAVAILABLE,
                     fmt::format("cannot reach nullrelayd at {}: {}", path, errno_text(err))};
    }
    return fd;
}

Result<PeerCredentials> peer_credentials(int socket_fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        return Error{EX_OSERR, fmt::format("SO_PEERCRED: {}", errno_text(errno))};
    PeerCredentials peer;
    peer.uid = cred.uid;
    peer.gid = cred.gid;
    peer.pid = cred.pid;
    // SO_PEERGROUPS (Linux 4.13): the supplementary groups the peer had when it connected.
    std::vector<gid_t> groups(64);
    for (int tries = 0; tries < 4; ++tries) {
        len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
        if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) == 0) {
            groups.resize(len / sizeof(gid_t));
            peer.groups.assign(groups.begin(), groups.end());
            return peer;
        }
        if (errno != ERANGE) break;
        groups.resize(len / sizeof(gid_t) + 1);
    }
    return Error{EX_OSERR, fmt::format("SO_PEERGROUPS: {}", errno_text(errno))};
}

ssize_t send_with_fd(int socket_fd, std::string_view data, int fd_to_pass) {
    iovec iov{const_cast<char*>(data.data()), data.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    if (fd_to_pass >= 0) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &fd_to_pass, sizeof(int));
    }
    return ::sendmsg(socket_fd, &msg, MSG_NOSIGNAL);
}

ssize_t receive_with_fds(int socket_fd, char* buffer, size_t size, std::vector<UniqueFd>& fds) {
    iovec iov{buffer, size};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(4 * sizeof(int))];
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(socket_fd, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0) return n;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            fds.emplace_back(fd);
        }
    }
    return n;
}

}  // namespace nullrelay
