// Tests for message_view.hpp: the header (and body) of a queued message as shown by
// `nullrelay show`, CRLF turned into LF whatever the read boundaries.
#include "nullrelay/message_view.hpp"

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>

using namespace nullrelay;

namespace {

// Feeds text through a pipe in chunks of `step` bytes and returns what was written.
std::string view(const std::string& content, bool body, size_t step) {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    std::thread writer([&] {
        for (size_t i = 0; i < content.size(); i += step) {
            std::string part = content.substr(i, step);
            REQUIRE(::write(fds[1], part.data(), part.size()) == static_cast<ssize_t>(part.size()));
            std::this_thread::yield();
        }
        ::close(fds[1]);
    });
    char* buf = nullptr;
    size_t len = 0;
    std::FILE* out = ::open_memstream(&buf, &len);
    Status st = write_content_view(fds[0], body, out);
    writer.join();
    std::fclose(out);
    ::close(fds[0]);
    std::string text(buf, len);
    std::free(buf);
    REQUIRE(st);
    return text;
}

}  // namespace

TEST_CASE("write_content_view: header only, or all; CRLF as LF", "[message_view]") {
    const std::string msg =
        "Subject: hi\r\nFrom: root@example.org\r\n\r\nline 1\r\n\r\nbare\rCR shown\r\n";
    for (size_t step : {size_t{1}, size_t{2}, size_t{5}, msg.size()}) {
        INFO(step);
        CHECK(view(msg, false, step) == "Subject: hi\nFrom: root@example.org\n");
        CHECK(view(msg, true, step) ==
              // A bare CR would send the cursor back over the line: it is shown, not obeyed.
              "Subject: hi\nFrom: root@example.org\n\nline 1\n\nbare\\x0dCR shown\n");
    }
    CHECK(view("Subject: no body\r\n", false, 3) == "Subject: no body\n");
}

TEST_CASE("format_envelope_view names state, recipients and reasons", "[message_view]") {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    Envelope e;
    e.id = "0619A2B3C4D5E001";
    e.arrival = 1717243200;
    e.submitter_uid = 0;
    e.submitter_name = "root";
    e.size = 42;
    e.attempts = 1;
    e.next_attempt = 0;
    e.last_error = "mx[192.0.2.1]:587: Couldn't connect to server";
    e.recipients = {{"admin@example.net", "root", RecipientState::pending, "451 later"}};
    CHECK(format_envelope_view({e, Place::queue, false}) ==
          "Queue ID:     0619A2B3C4D5E001\n"
          "State:        deferred (in queue/)\n"
          "Arrival:      Sat Jun  1 12:00:00 2024 +0000\n"
          "Size:         42 bytes\n"
          "Submitter:    root (uid 0)\n"
          "Sender:       <> (MAILER-DAEMON)\n"
          "Attempts:     1\n"
          "Next attempt: as soon as possible\n"
          "Last error:   mx[192.0.2.1]:587: Couldn't connect to server\n"
          "Recipient:    pending admin@example.net (submitted as root): 451 later\n");
}

// Issue 16, item 6: `nullrelay show` printed a message's raw ESC ] 0; title sequence to the
// admin's terminal. Control characters are shown as escapes; 8-bit text and UTF-8 pass.
TEST_CASE("show escapes control characters, whatever the read boundaries", "[message_view]") {
    const std::string content =
        "Subject: \x1b]0;owned\x07 hi\r\nX-C1: \xc2\x9b"
        "31m and \x9b"
        "1m\r\n\r\n"
        "caf\xc3\xa9 \xc4\x85 latin-1 \xe9\r\nbell\x07\r\n";
    const std::string want =
        "Subject: \\x1b]0;owned\\x07 hi\nX-C1: \\xc2\\x9b31m and \\x9b1m\n\n"
        "caf\xc3\xa9 \xc4\x85 latin-1 \xe9\nbell\\x07\n";
    for (size_t step : {1, 2, 3, 7, 4096}) {
        INFO(step);
        CHECK(view(content, true, step) == want);
    }
}

TEST_CASE("the envelope view escapes control characters", "[message_view]") {
    ListedMessage m;
    m.envelope.id = "0619A2B3C4D5E001";
    m.envelope.sender = "a\x1b[2Jb@example.org";
    m.envelope.recipients = {{"bob@example.net", "", RecipientState::pending,
                              "451 \x9b"
                              "0m"}};
    std::string shown = format_envelope_view(m);
    CHECK(shown.find('\x1b') == std::string::npos);
    CHECK(shown.find('\x9b') == std::string::npos);
    CHECK_THAT(shown, Catch::Contains("a\\x1b[2Jb@example.org"));
    CHECK_THAT(shown, Catch::Contains("451 \\x9b0m"));
}
