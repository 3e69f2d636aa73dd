#include "nullrelayd/control_server.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>

#include <fmt/format.h>

#include "control/control_protocol.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"
#include "util/sys_error.hpp"

namespace nullrelay {

namespace {

constexpr size_t kMaxConnections = 64;
constexpr size_t kMaxConnectionsPerUid = 8;
constexpr size_t kMaxRequestFromUser = 16 * 1024;
constexpr size_t kMaxRequestFromAdmin = 1024 * 1024;
constexpr std::int64_t kRequestTimeoutMs = 10'000;
constexpr std::int64_t kWriteStallTimeoutMs = 60'000;
constexpr std::int64_t kWorkSliceMs = 50;
// Messages one connection is served per turn before the next connection's turn: connections
// share the event loop's time evenly, whoever asked first.
constexpr size_t kItemsPerTurn = 32;
// Reply bytes held for a client that reads slowly: past this, its work waits for the socket.
constexpr size_t kMaxPendingOutput = 1024 * 1024;

size_t pending_bytes(const std::deque<ControlServer::Chunk>& out) {
    size_t n = 0;
    for (const auto& ch : out)
        n += ch.data.size() - ch.offset;
    return n;
}

}  // namespace

// Writes the reply records of one connection, and logs what admins changed.
class ControlServer::Sink : public ReplySink {
  public:
    Sink(ControlServer& server, Connection& c, Action action)
        : server_(server), c_(c), action_(action) {}
    void message(const ListedMessage& m) override { server_.append(c_, encode_message(m)); }
    void paused(const DeliveryPause& p) override { server_.append(c_, encode_paused(p)); }
    void problem(const Error& e) override { server_.append(c_, encode_problem(e)); }
    void result(const Outcome& o) override {
        server_.append(c_, encode_result(o));
        if (action_ != Action::list && action_ != Action::show && action_ != Action::flush)
            log_info("{}: {} (nullrelay {} by uid {})", o.id, o.text, to_string(action_),
                     c_.peer.uid);
    }
    void waiting(const std::string& id) override { server_.append(c_, encode_waiting(id)); }
    void stat(const std::string& name, const std::string& value) override {
        server_.append(c_, encode_stat(name, value));
    }
    void content(UniqueFd fd) override {
        server_.append(c_, std::string(kContentRecord), std::move(fd));
    }

  private:
    ControlServer& server_;
    Connection& c_;
    Action action_;
};

Result<std::unique_ptr<ControlServer>> ControlServer::start(const std::string& path, Spool& spool,
                                                            const Config& config,
                                                            DeliveryState& deliveries) {
    auto listener = listen_control_socket(path);
    if (!listener) return listener.error();
    auto server = std::make_unique<ControlServer>(spool, config, deliveries);
    server->listener_ = std::move(*listener);
    server->epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
    server->timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    server->work_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!server->epoll_.valid() || !server->timer_.valid() || !server->work_.valid())
        return Error{EX_OSERR, fmt::format("control socket: {}", errno_text(errno))};
    for (int fd : {server->listener_.get(), server->timer_.get(), server->work_.get()}) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        if (::epoll_ctl(server->epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
            return Error{EX_OSERR, fmt::format("epoll_ctl: {}", errno_text(errno))};
    }
    return server;
}

ControlServer::ControlServer(Spool& spool, const Config& config, DeliveryState& deliveries)
    : spool_(spool), config_(config), deliveries_(deliveries), daemon_uid_(::geteuid()) {}

ControlServer::~ControlServer() {
    // Best effort, without blocking: a client waiting for outcomes learns why they stop.
    for (auto& [fd, c] : connections_) {
        if (!c->finished && !c->reading)
            append(*c, encode_done(EX_TEMPFAIL,
                                   "nullrelayd is stopping; what was not attempted stays queued"));
        while (!c->out.empty()) {
            Chunk& ch = c->out.front();
            ssize_t n =
                send_with_fd(c->fd.get(), std::string_view(ch.data).substr(ch.offset), ch.fd.get());
            if (n <= 0) break;
            ch.fd.reset();
            ch.offset += static_cast<size_t>(n);
            if (ch.offset == ch.data.size()) c->out.pop_front();
        }
    }
}

void ControlServer::handle() {
    epoll_event events[32];
    int n = ::epoll_wait(epoll_.get(), events, 32, 0);
    for (int i = 0; i < n; ++i) {
        int fd = events[i].data.fd;
        if (fd == listener_.get()) {
            accept_all();
            continue;
        }
        if (fd == timer_.get() || fd == work_.get()) {
            std::uint64_t ticks;
            while (::read(fd, &ticks, sizeof ticks) > 0) {
            }
            if (fd == timer_.get())
                expire();
            else
                work();
            continue;
        }
        auto it = connections_.find(fd);
        if (it == connections_.end()) continue;  // closed earlier in this batch
        Connection& c = *it->second;
        if (events[i].events & EPOLLIN && c.reading)
            on_readable(c);  // reads the request, or the end of the connection
        else if (events[i].events & (EPOLLERR | EPOLLHUP))
            close(c);  // the client went away (a flush --wait interrupted, say)
        else if (events[i].events & EPOLLOUT)
            pump(c);
    }
    arm_timer();
}

void ControlServer::accept_all() {
    for (;;) {
        UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd.valid()) {
            if (errno != EAGAIN && errno != EINTR)
                log_warning("control: accept: {}", errno_text(errno));
            return;
        }
        auto peer = peer_credentials(fd.get());
        if (!peer) {
            log_warning("control: {}", peer.error().message);
            continue;
        }
        auto c = std::make_unique<Connection>();
        c->fd = std::move(fd);
        c->peer = *peer;
        auto policy = access_policy(config_, daemon_uid_);
        if (!policy) {
            log_error("control: {}; only root may change the queue until it is fixed",
                      policy.error().message);
            policy = AccessPolicy{daemon_uid_, std::nullopt, "",
                                  config_.mailq_visibility == MailqVisibility::all};
        }
        c->policy = *policy;
        c->deadline_ms = monotonic_ms() + kRequestTimeoutMs;
        size_t from_uid =
            std::count_if(connections_.begin(), connections_.end(),
                          [&](const auto& kv) { return kv.second->peer.uid == c->peer.uid; });
        int cfd = c->fd.get();
        Connection& ref = *c;
        connections_.emplace(cfd, std::move(c));
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = cfd;
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, cfd, &ev);
        if (connections_.size() > kMaxConnections || from_uid >= kMaxConnectionsPerUid) {
            log_warning("control: too many connections (uid {}); refused", ref.peer.uid);
            ref.reading = false;
            finish(ref, EX_TEMPFAIL, "nullrelayd is busy with other requests; try again");
            pump(ref);
        }
    }
}

void ControlServer::on_readable(Connection& c) {
    const size_t limit = is_admin(c.policy, c.peer) ? kMaxRequestFromAdmin : kMaxRequestFromUser;
    char buf[16384];
    for (;;) {
        // Never more than one byte past the limit: a request must end within it.
        const size_t room = std::min(sizeof buf, limit + 1 - c.in.size());
        ssize_t n = ::recv(c.fd.get(), buf, room, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) return close(c);  // gone before finishing its request
        c.in.append(buf, static_cast<size_t>(n));
        if (auto end = request_end(c.in); end && *end <= limit) {
            std::string text = c.in.substr(0, *end);
            c.in.clear();
            return run_request(c, text);
        }
        if (c.in.size() > limit) {
            c.reading = false;
            finish(c, EX_USAGE, "request too long");
            return pump(c);
        }
    }
}

void ControlServer::run_request(Connection& c, std::string_view text) {
    c.reading = false;
    c.deadline_ms = 0;
    auto request = decode_request(text);
    if (!request) {
        log_warning("control: uid {}: {}", c.peer.uid, request.error().message);
        finish(c, request.error().exit_code, request.error().message);
        return pump(c);
    }
    if (Status st = authorize(c.policy, c.peer, request->action); !st) {
        log_warning("control: uid {} (pid {}) refused: nullrelay {}", c.peer.uid, c.peer.pid,
                    to_string(request->action));
        finish(c, st.error().exit_code, st.error().message);
        return pump(c);
    }
    Sink sink(*this, c, request->action);
    QueueCommands commands(spool_, deliveries_);
    if (request->action == Action::list) {
        // A slice at a time, like the changes: a long queue never holds the loop.
        c.request = *request;
        c.only_uid = listing_filter(c.policy, c.peer);
        commands.report_pause(sink);
        auto targets = commands.list_targets(c.request.selection, c.only_uid);
        c.todo.assign(targets.begin(), targets.end());
        if (!c.todo.empty()) return work();
    } else if (request->action == Action::show) {
        commands.show(request->selection.ids.front(), sink);
    } else if (request->action == Action::stats) {
        commands.stats(sink);
    } else {
        c.request = *request;
        auto targets = commands.select(c.request, sink);
        c.todo.assign(targets.begin(), targets.end());
        if (request->action == Action::flush)
            log_info("flush requested by uid {}{}", c.peer.uid,
                     request->selection.empty() ? "" : " for selected messages");
        if (!c.todo.empty()) return work();  // finishes the reply once the list is done
    }
    finish(c, EX_OK, "");
    pump(c);
}

void ControlServer::work() {
    const std::int64_t until = monotonic_ms() + kWorkSliceMs;
    std::set<Connection*> touched;
    auto ready = [](const Connection& c) {
        return !c.todo.empty() && !c.finished && pending_bytes(c.out) < kMaxPendingOutput;
    };
    // Round robin, kItemsPerTurn messages a turn, until the slice is over or nobody is ready.
    for (bool served = true; served && monotonic_ms() < until;) {
        served = false;
        for (auto& [fd, c] : connections_) {
            if (!ready(*c)) continue;
            Sink sink(*this, *c, c->request.action);
            QueueCommands commands(spool_, deliveries_);
            for (size_t k = 0; k < kItemsPerTurn && !c->todo.empty(); ++k) {
                const QueueCommands::Target& t = c->todo.front();
                if (c->request.action == Action::list)
                    commands.list_one(t, c->request.selection, c->only_uid, sink);
                else if (commands.apply(c->request, t, sink))
                    c->waiting.push_back(t.id);
                c->todo.pop_front();
            }
            if (c->todo.empty() && c->waiting.empty()) finish(*c, EX_OK, "");
            touched.insert(c.get());
            served = true;
        }
    }
    for (Connection* c : touched)
        pump(*c);  // may close it: after the loop over the map
    poke_work();
}

void ControlServer::poke_work() {
    // More to do for a client that can take it: come back after the loop's other work. (One
    // whose output is full is woken by pump() once the socket drains.)
    for (auto& [fd, c] : connections_) {
        if (!c->todo.empty() && !c->finished && pending_bytes(c->out) < kMaxPendingOutput) {
            std::uint64_t one = 1;
            ssize_t n = ::write(work_.get(), &one, sizeof one);
            (void)n;
            return;
        }
    }
}

size_t ControlServer::pending_output() const {
    size_t n = 0;
    for (const auto& [fd, c] : connections_)
        n += pending_bytes(c->out);
    return n;
}

void ControlServer::check_waiters() {
    std::vector<Connection*> ready;
    for (auto& [fd, c] : connections_) {
        if (c->waiting.empty()) continue;
        Sink sink(*this, *c, Action::flush);
        QueueCommands commands(spool_, deliveries_);
        std::erase_if(c->waiting, [&](const std::string& id) {
            if (deliveries_.in_flight(id) || deliveries_.due(id)) return false;
            sink.result(commands.settle(id));
            return true;
        });
        if (c->waiting.empty() && c->todo.empty()) finish(*c, EX_OK, "");
        if (!c->out.empty()) ready.push_back(c.get());
    }
    for (Connection* c : ready)
        pump(*c);  // may close: done after the loop over the map
    arm_timer();
}

void ControlServer::append(Connection& c, std::string data, UniqueFd fd) {
    if (!fd.valid() && !c.out.empty())
        c.out.back().data += data;  // an fd chunk may take more data after its first byte
    else
        c.out.push_back({std::move(data), 0, std::move(fd)});
}

void ControlServer::finish(Connection& c, int code, std::string_view text) {
    append(c, encode_done(code, text));
    c.finished = true;
}

void ControlServer::pump(Connection& c) {
    while (!c.out.empty()) {
        Chunk& ch = c.out.front();
        ssize_t n =
            send_with_fd(c.fd.get(), std::string_view(ch.data).substr(ch.offset), ch.fd.get());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        if (n <= 0) return close(c);
        ch.fd.reset();  // on its way: the kernel holds its own reference
        ch.offset += static_cast<size_t>(n);
        if (ch.offset == ch.data.size()) c.out.pop_front();
        c.deadline_ms = 0;
    }
    if (c.out.empty() && c.finished) return close(c);
    if (!c.todo.empty() && pending_bytes(c.out) < kMaxPendingOutput) poke_work();
    if (!c.out.empty() && !c.deadline_ms) c.deadline_ms = monotonic_ms() + kWriteStallTimeoutMs;
    epoll_event ev{};
    ev.events =
        (c.reading ? std::uint32_t{EPOLLIN} : 0u) | (c.out.empty() ? 0u : std::uint32_t{EPOLLOUT});
    ev.data.fd = c.fd.get();
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd.get(), &ev);
}

void ControlServer::close(Connection& c) {
    connections_.erase(c.fd.get());  // closes the descriptor, which leaves the epoll set
}

void ControlServer::expire() {
    const std::int64_t now = monotonic_ms();
    std::vector<int> late;
    for (auto& [fd, c] : connections_)
        if (c->deadline_ms && c->deadline_ms <= now) late.push_back(fd);
    for (int fd : late) {
        log_warning("control: uid {}: connection timed out", connections_[fd]->peer.uid);
        connections_.erase(fd);
    }
}

void ControlServer::arm_timer() {
    std::int64_t next = 0;
    for (auto& [fd, c] : connections_)
        if (c->deadline_ms && (!next || c->deadline_ms < next)) next = c->deadline_ms;
    itimerspec spec{};
    if (next) {
        std::int64_t left = std::max<std::int64_t>(next - monotonic_ms(), 1);
        spec.it_value.tv_sec = left / 1000;
        spec.it_value.tv_nsec = (left % 1000) * 1'000'000;
    }
    ::timerfd_settime(timer_.get(), 0, &spec, nullptr);
}

}  // namespace nullrelay
