#include "nullrelayd/journal_socket.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace nullrelay {

std::string journal_entry(std::span<const JournalField> fields) {
    std::string entry;
    for (const JournalField& f : fields) {
        entry += f.name;
        if (f.value.find('\n') == std::string_view::npos) {
            entry += '=';
        } else {
            entry += '\n';
            std::uint64_t length = f.value.size();
            for (int i = 0; i < 8; ++i, length >>= 8)
                entry += static_cast<char>(length & 0xff);
        }
        entry += f.value;
        entry += '\n';
    }
    return entry;
}

JournalSocket::JournalSocket(std::string_view path) {
    if (path.size() >= sizeof(address_.sun_path)) return;
    address_.sun_family = AF_UNIX;
    path.copy(address_.sun_path, path.size());
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

JournalSocket::~JournalSocket() {
    if (fd_ >= 0) ::close(fd_);
}

bool JournalSocket::send(std::string_view entry) const {
    if (fd_ < 0) return false;
    ssize_t sent;
    do {
        sent = ::sendto(fd_, entry.data(), entry.size(), MSG_NOSIGNAL,
                        reinterpret_cast<const sockaddr*>(&address_), sizeof(address_));
    } while (sent < 0 && errno == EINTR);
    return sent == static_cast<ssize_t>(entry.size());
}

}  // namespace nullrelay
