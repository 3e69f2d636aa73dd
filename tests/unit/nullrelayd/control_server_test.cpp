// Tests for control_server.hpp over a real socket in a private spool, the server driven by
// hand as the daemon's event loop drives it: replies to list and show (with the content fd),
// refusal of malformed and oversized requests, the per-uid connection limit, flush --wait
// answered as attempts end, a waiting client that goes away, and the goodbye at shutdown.
#include "nullrelayd/control_server.hpp"

#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

#include <fmt/format.h>

#include "control/control_protocol.hpp"
#include "queue_fixture.hpp"
#include "util/durable_io.hpp"

using namespace nullrelay;
using namespace nullrelay::test;

namespace {

struct Server {
    TempSpool t;
    Spool spool = open_spool(t.root);
    Config config;
    FakeDeliveryState sched;
    std::unique_ptr<ControlServer> server;
    std::string path = t.root + "/control";

    Server() {
        config.spool_dir = t.root;
        auto s = ControlServer::start(path, spool, config, sched);
        REQUIRE(s);
        server = std::move(*s);
        for (const char* id : {"0619A2B3C4D5E001", "0619A2B3C4D5E002"}) {
            REQUIRE(spool.store(Place::queue, envelope(id, 0, "ops@example.net")));
            t.write(std::string("data/") + id, "Subject: hi\r\n\r\nbody\r\n");
        }
    }
    UniqueFd connect() {
        auto fd = connect_control_socket(path);
        REQUIRE(fd);
        return std::move(*fd);
    }
    // Runs the server until the client has `until` in its reply or the connection closed.
    std::string pump(int fd, std::string& reply, std::vector<UniqueFd>& fds,
                     std::string_view until = "\ndone ") {
        for (int i = 0; i < 200 && reply.find(until) == std::string::npos; ++i) {
            server->handle();
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 10) <= 0) continue;
            char buf[65536];
            ssize_t n = receive_with_fds(fd, buf, sizeof buf, fds);
            if (n <= 0) break;
            reply.append(buf, static_cast<size_t>(n));
        }
        return reply;
    }
    std::string ask(const std::string& request, std::vector<UniqueFd>* fds_out = nullptr) {
        UniqueFd fd = connect();
        REQUIRE(write_all(fd.get(), request, "test"));
        std::string reply = "\n";  // so that a `done` first line matches "\ndone "
        std::vector<UniqueFd> fds;
        pump(fd.get(), reply, fds);
        if (fds_out) *fds_out = std::move(fds);
        return reply.substr(1);
    }
};

bool closed_by_server(int fd) {
    char c;
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 1000) == 1 && ::recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

}  // namespace

TEST_CASE("control server: list and show", "[control_server]") {
    Server s;
    s.sched.flying = {"0619A2B3C4D5E002"};
    std::string reply = s.ask("nullrelay-control 1\naction list\n\n");
    CHECK(reply.rfind("message queue 0\nnullrelay-queue 1\nid 0619A2B3C4D5E001\n", 0) == 0);
    CHECK_THAT(reply, Catch::Contains("message queue 1\nnullrelay-queue 1\nid 0619A2B3C4D5E002\n"));
    CHECK_THAT(reply, Catch::EndsWith("end\ndone 0 \n"));

    std::vector<UniqueFd> fds;
    reply = s.ask("nullrelay-control 1\naction show\nid 0619A2B3C4D5E001\n\n", &fds);
    CHECK_THAT(reply, Catch::EndsWith("end\ncontent\ndone 0 \n"));
    REQUIRE(fds.size() == 1);
    char buf[64] = {};
    CHECK(::read(fds[0].get(), buf, sizeof buf - 1) == 21);
    CHECK(std::string(buf) == "Subject: hi\r\n\r\nbody\r\n");
}

TEST_CASE("control server: bad, oversized and excess requests", "[control_server]") {
    Server s;
    CHECK(s.ask("nullrelay-control 1\naction rm -rf\n\n") ==
          "done 76 bad request: unknown action 'rm -rf'\n");
    CHECK(s.ask("GET / HTTP/1.0\n\n") == "done 76 bad request: unknown protocol version\n");
    {
        // We are root, an admin: 1 MiB at most. Past that the server answers and hangs up
        // (the client may see the reset before the answer: unread data was left behind).
        UniqueFd fd = s.connect();
        const std::string junk(64 * 1024, 'x');
        size_t sent = 0;
        for (int i = 0; i < 1000 && sent < 1100 * 1024; ++i) {
            ssize_t n = ::send(fd.get(), junk.data(), junk.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n > 0) sent += static_cast<size_t>(n);
            if (n < 0 && errno != EAGAIN) break;
            s.server->handle();
        }
        s.server->handle();
        char buf[256] = {};
        ssize_t n = ::recv(fd.get(), buf, sizeof buf - 1, 0);
        CHECK((n < 0 || std::string(buf) == "done 64 request too long\n"));
        CHECK(sent <= 1100 * 1024);
    }

    // Eight connections from one uid are served; the ninth is told to come back.
    std::vector<UniqueFd> idle;
    for (int i = 0; i < 8; ++i)
        idle.push_back(s.connect());
    s.server->handle();
    CHECK(s.ask("nullrelay-control 1\naction list\n\n") ==
          "done 75 nullrelayd is busy with other requests; try again\n");
    idle.clear();  // they hang up: room again
    s.server->handle();
    CHECK_THAT(s.ask("nullrelay-control 1\naction list\n\n"), Catch::EndsWith("done 0 \n"));
}

// Issue 16, item 7: the limit was checked after appending a whole read, so a request that ended
// within the read after the limit was taken (about twice the limit). A request one byte over
// the limit, complete, is refused now.
TEST_CASE("control server: a complete request one byte over the limit is refused",
          "[control_server]") {
    Server s;
    const size_t limit = ::geteuid() == 0 ? 1024 * 1024 : 16 * 1024;  // admin or user
    std::string request = "nullrelay-control 1\n";
    request += std::string(limit + 1 - request.size() - 2, 'x') + "\n\n";
    REQUIRE(request.size() == limit + 1);
    UniqueFd fd = s.connect();
    size_t sent = 0;
    for (int i = 0; i < 10000 && sent < request.size(); ++i) {
        ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent,
                           MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) sent += static_cast<size_t>(n);
        if (n < 0 && errno != EAGAIN) break;
        s.server->handle();
    }
    REQUIRE(sent == request.size());
    std::string reply = "\n";
    std::vector<UniqueFd> fds;
    s.pump(fd.get(), reply, fds);
    CHECK(reply == "\ndone 64 request too long\n");
}

TEST_CASE("control server: flush --wait answers as attempts end", "[control_server]") {
    Server s;
    UniqueFd fd = s.connect();
    REQUIRE(write_all(fd.get(), "nullrelay-control 1\naction flush\nwait\n\n", "test"));
    std::string reply;
    std::vector<UniqueFd> fds;
    s.pump(fd.get(), reply, fds, "waiting 0619A2B3C4D5E002\n");
    CHECK(reply == "waiting 0619A2B3C4D5E001\nwaiting 0619A2B3C4D5E002\n");
    CHECK(s.sched.pickups == 1);

    // Both are due now: nothing to report yet. Then the first is delivered (gone), the
    // second deferred (scheduled later).
    s.server->check_waiters();
    REQUIRE(s.spool.remove(Place::queue, "0619A2B3C4D5E001"));
    s.sched.scheduled.erase("0619A2B3C4D5E001");
    s.server->check_waiters();
    s.pump(fd.get(), reply, fds, "delivered\n");
    CHECK_THAT(reply, Catch::EndsWith("result 0619A2B3C4D5E001 0 delivered\n"));
    s.sched.scheduled["0619A2B3C4D5E002"] = 1717250000;
    s.server->check_waiters();
    s.pump(fd.get(), reply, fds);
    CHECK_THAT(reply, Catch::EndsWith("result 0619A2B3C4D5E002 75 deferred: 451 later\ndone 0 \n"));
    CHECK(closed_by_server(fd.get()));
}

TEST_CASE("control server: a waiting client leaves; the daemon stops", "[control_server]") {
    Server s;
    const std::string request = "nullrelay-control 1\naction flush\nwait\n\n";
    {
        UniqueFd gone = s.connect();
        REQUIRE(write_all(gone.get(), request, "test"));
        s.server->handle();
    }  // hung up while waiting
    s.server->handle();
    s.server->check_waiters();  // nothing to write to, nothing breaks

    UniqueFd fd = s.connect();
    REQUIRE(write_all(fd.get(), request, "test"));
    std::string reply;
    std::vector<UniqueFd> fds;
    s.pump(fd.get(), reply, fds, "waiting 0619A2B3C4D5E002\n");
    s.server.reset();  // the daemon stops
    char buf[256] = {};
    CHECK(::recv(fd.get(), buf, sizeof buf - 1, 0) > 0);
    CHECK(std::string(buf) ==
          "done 75 nullrelayd is stopping; what was not attempted stays queued\n");
}

TEST_CASE("control server: a long command goes in slices, every outcome reported",
          "[control_server]") {
    Server s;
    const int n = 40;  // two directory fsyncs each: more than one 50 ms slice on most disks
    for (int i = 0; i < n; ++i) {
        std::string id = fmt::format("0619A2B3C4D6{:04X}", i);
        REQUIRE(s.spool.store(Place::hold, envelope(id, 0, "ops@example.net")));
    }
    UniqueFd fd = s.connect();
    REQUIRE(write_all(fd.get(), "nullrelay-control 1\naction release\nall\n\n", "test"));
    std::string reply;
    std::vector<UniqueFd> fds;
    for (int round = 0; round < 50 && reply.find("done ") == std::string::npos; ++round)
        s.pump(fd.get(), reply, fds);
    size_t released = 0;
    for (size_t pos = 0; (pos = reply.find(" 0 released\n", pos)) != std::string::npos; ++pos)
        ++released;
    CHECK(released == n);
    CHECK_THAT(reply, Catch::EndsWith("done 0 \n"));
    CHECK(s.spool.list(Place::hold).empty());
    CHECK(s.spool.list(Place::queue).size() == n + 2);
}

// Issue 16, item 2: a listing went out in one piece, built in the event loop at once; a client
// that does not read made the daemon hold the whole queue's listing. Now a listing goes a slice
// at a time and waits while its client's unread output is over 1 MiB.
TEST_CASE("control server: a listing to a client that does not read stays bounded",
          "[control_server]") {
    Server s;
    std::vector<std::string> many;
    for (int i = 0; i < 100; ++i)
        many.push_back(std::string(80, 'r') + std::to_string(i) + "@example.net");
    for (int i = 0; i < 400; ++i) {  // 400 envelopes of about 10 KB: 4 MB of listing
        Envelope e = envelope(fmt::format("0619A2B3C4{:06X}", 0x100 + i), 0, "x@example.net");
        e.recipients.clear();
        for (const auto& r : many)
            e.recipients.push_back({r, "", RecipientState::pending, "451 later"});
        REQUIRE(s.spool.store_unsynced(Place::queue, e));
    }
    REQUIRE(s.spool.sync(Place::queue));
    UniqueFd fd = s.connect();
    REQUIRE(write_all(fd.get(), "nullrelay-control 1\naction list\n\n", "test"));
    for (int i = 0; i < 200; ++i)
        s.server->handle();
    CHECK(s.server->pending_output() < 1536 * 1024);
    CHECK(s.server->pending_output() > 0);  // it did start
    std::string reply = "\n";
    std::vector<UniqueFd> fds;
    for (int i = 0; i < 20000 && reply.find("\ndone ") == std::string::npos; ++i) {
        s.server->handle();
        char buf[65536];
        ssize_t n = ::recv(fd.get(), buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) reply.append(buf, static_cast<size_t>(n));
    }
    CHECK_THAT(reply, Catch::EndsWith("done 0 \n"));
    size_t listed = 0;
    for (size_t at = 0; (at = reply.find("\nmessage queue ", at)) != std::string::npos; ++at)
        ++listed;
    CHECK(listed == 402);  // and the two the fixture queued
}
