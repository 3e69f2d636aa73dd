#include "control_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>

#include <fmt/format.h>

#include "durable_io.hpp"

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

Result<UniqueFd> bind_control_socket(const std::string& path) {
    auto addr = address_of(path);
    if (!addr) return addr.error();
    UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return Error{EX_OSERR, fmt::format("socket: {}", errno_text(errno))};
    ::unlink(path.c_str());  // left over from a previous run; we hold the spool lock
    mode_t old = ::umask(077);
    int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&*addr), sizeof *addr);
    ::umask(old);
    if (rc != 0) return Error{EX_OSERR, fmt::format("cannot bind {}: {}", path, errno_text(errno))};
    return fd;
}

Status send_control_message(const std::string& path, std::string_view message) {
    auto addr = address_of(path);
    if (!addr) return addr.error();
    UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return Error{EX_OSERR, fmt::format("socket: {}", errno_text(errno))};
    if (::sendto(fd.get(), message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&*addr),
                 sizeof *addr) < 0) {
        int err = errno;
        if (err == ENOENT || err == ECONNREFUSED)
            return Error{EX_UNAVAILABLE, "nullrelayd is not running"};
        return Error{EX_NOPERM,
                     fmt::format("cannot reach nullrelayd at {}: {}", path, errno_text(err))};
    }
    return ok_status();
}

}  // namespace nullrelay
