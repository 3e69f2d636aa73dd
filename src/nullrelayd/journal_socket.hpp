// The client side of journald's native protocol (systemd.io/JOURNAL_NATIVE_PROTOCOL), which
// libsystemd's sd_journal_sendv implements: one datagram per entry, sent to journald's socket.
// Spoken here instead of through libsystemd because that library brought six shared libraries
// into the daemon for this one call (libsystemd, libgcrypt, libgpg-error, liblzma, liblz4,
// libcap: 0.7 MB of its resident memory, issue 21); the protocol document describes it for
// clients that want to avoid the dependency. An entry too large for one datagram (which
// sd_journal_sendv would pass as a memfd) is refused like any other, and the caller writes its
// line to stderr instead.
#pragma once

#include <sys/un.h>

#include <span>
#include <string>
#include <string_view>

namespace nullrelay {

// A field of an entry: NAME in upper case (letters, digits, '_'), and its value.
struct JournalField {
    std::string_view name;
    std::string_view value;
};

// The datagram for one entry: "NAME=value\n" per field, or, for a value that holds a newline,
// "NAME\n", its length as 64 bits little-endian, the value and "\n".
std::string journal_entry(std::span<const JournalField> fields);

// A datagram socket (close-on-exec) from which entries go to journald's socket at `path`.
// send() may be called from several threads at once.
class JournalSocket {
  public:
    explicit JournalSocket(std::string_view path = "/run/systemd/journal/socket");
    ~JournalSocket();
    JournalSocket(const JournalSocket&) = delete;
    JournalSocket& operator=(const JournalSocket&) = delete;

    // Whether journald took the whole entry.
    bool send(std::string_view entry) const;

  private:
    int fd_ = -1;
    sockaddr_un address_{};
};

}  // namespace nullrelay
