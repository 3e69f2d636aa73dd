// nullrelayd's side of the control socket: accepts connections, reads one request from each,
// checks who is asking (control_access.hpp), runs the request with QueueCommands in the
// event-loop thread (the one thread that hands messages to delivery threads, so a check
// "not being delivered" cannot go stale before the move it guards) and streams the reply.
// A `flush --wait` connection stays open until each of its messages' attempts is over. A
// command on thousands of messages (each change is a few fsyncs) is done in slices of 50 ms,
// its outcomes streamed as they come, so deliveries and other clients go on meanwhile.
//
// SECURITY: any local user can connect, so every byte received is hostile input. Requests
// are bounded (16 KiB from non-admins, 1 MiB from admins) and parsed strictly; a client
// has 10 s to send its request and must keep reading its reply (60 s without progress
// closes it); at most 64 connections, 8 per uid, so one user cannot keep mailq from others
// for more than moments. Message content goes to admins only, as a read-only descriptor.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "control/control_access.hpp"
#include "control/control_socket.hpp"
#include "control/queue_commands.hpp"
#include "queue/spool.hpp"
#include "util/unique_fd.hpp"

namespace nullrelay {

class ControlServer {
  public:
    // Binds the socket at path and sets up the server.
    static Result<std::unique_ptr<ControlServer>> start(const std::string& path, Spool& spool,
                                                        const Config& config,
                                                        DeliveryState& deliveries);
    ControlServer(Spool& spool, const Config& config, DeliveryState& deliveries);
    ~ControlServer();  // tells clients still waiting that the daemon stops
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // An epoll descriptor, readable when handle() has something to do.
    int fd() const { return epoll_.get(); }
    void handle();
    // Reports the flushed messages whose attempts ended. Call after each batch of completions.
    void check_waiters();
    // Reply bytes held for all clients (tests: a slow reader never makes it grow unbounded).
    size_t pending_output() const;

    struct Chunk {
        std::string data;
        size_t offset = 0;
        UniqueFd fd;  // passed with the chunk's first byte
    };

  private:
    struct Connection {
        UniqueFd fd;
        PeerCredentials peer;
        AccessPolicy policy;
        bool reading = true;
        bool finished = false;  // `done` queued: close once the output is out
        std::string in;
        std::deque<Chunk> out;
        Request request;
        std::deque<QueueCommands::Target> todo;  // messages still to list or change
        std::optional<std::uint32_t> only_uid;   // list: the caller sees only theirs
        std::vector<std::string> waiting;        // flushed, outcome to come
        std::int64_t deadline_ms = 0;            // 0: none
    };
    class Sink;

    void accept_all();
    void on_readable(Connection& c);
    void run_request(Connection& c, std::string_view text);
    void work();       // lists or changes messages for up to one time slice, round robin
    void poke_work();  // makes work() run again soon if a connection has more to do
    void append(Connection& c, std::string data, UniqueFd fd = {});
    void finish(Connection& c, int code, std::string_view text);
    void pump(Connection& c);  // may close c
    void close(Connection& c);
    void expire();
    void arm_timer();

    UniqueFd listener_, epoll_, timer_, work_;  // work_: readable while todo lists remain
    Spool& spool_;
    const Config& config_;
    DeliveryState& deliveries_;
    std::uint32_t daemon_uid_;
    std::map<int, std::unique_ptr<Connection>> connections_;
};

}  // namespace nullrelay
