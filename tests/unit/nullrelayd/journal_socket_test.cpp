// Tests for journal_socket.hpp: the bytes of journald's native protocol, and that they reach a
// datagram socket as one entry (tests/integration/t81_journal_fields.sh reads them with a
// stand-in for journald, through the daemon).
#include "nullrelayd/journal_socket.hpp"

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

using namespace nullrelay;
using namespace std::string_literals;

TEST_CASE("journal_entry: NAME=value lines, and the binary form for a value with a newline",
          "[journal]") {
    JournalField plain[] = {{"MESSAGE", "abc: sent"}, {"PRIORITY", "6"}, {"EMPTY", ""}};
    CHECK(journal_entry(plain) == "MESSAGE=abc: sent\nPRIORITY=6\nEMPTY=\n");

    JournalField lines[] = {{"MESSAGE", "one\ntwo"}, {"QUEUE_ID", "A1"}};
    CHECK(journal_entry(lines) == "MESSAGE\n\x07\0\0\0\0\0\0\0one\ntwo\nQUEUE_ID=A1\n"s);

    std::string long_value(300, 'x');
    long_value[0] = '\n';
    JournalField big[] = {{"M", long_value}};
    CHECK(journal_entry(big) == "M\n\x2c\x01\0\0\0\0\0\0"s + long_value + "\n");
}

TEST_CASE("JournalSocket: one datagram per entry; false where nobody listens", "[journal]") {
    char dir[] = "/tmp/nullrelay-journal-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    std::string path = std::string(dir) + "/socket";
    int server = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(server >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path.copy(address.sun_path, path.size());
    REQUIRE(::bind(server, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);

    JournalField fields[] = {{"MESSAGE", "multi\nline"}, {"STATUS", "sent"}};
    std::string entry = journal_entry(fields);
    JournalSocket journal(path);
    CHECK(journal.send(entry));
    CHECK(journal.send("SECOND=1\n"));
    char buffer[4096];
    ssize_t n = ::recv(server, buffer, sizeof(buffer), MSG_DONTWAIT);
    CHECK(std::string(buffer, n > 0 ? n : 0) == entry);
    n = ::recv(server, buffer, sizeof(buffer), MSG_DONTWAIT);
    CHECK(std::string(buffer, n > 0 ? n : 0) == "SECOND=1\n");

    ::close(server);
    std::filesystem::remove_all(dir);
    CHECK_FALSE(journal.send(entry));
    CHECK_FALSE(JournalSocket(std::string(200, 'p')).send(entry));
}
