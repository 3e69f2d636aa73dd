#include "nullrelay/queue_client.hpp"

#include <grp.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <vector>

#include <fmt/format.h>

#include "control/control_protocol.hpp"
#include "control/control_socket.hpp"
#include "queue/spool_layout.hpp"
#include "util/child_process.hpp"
#include "util/durable_io.hpp"
#include "util/program_path.hpp"
#include "util/sys_error.hpp"

namespace nullrelay {

namespace {

constexpr int kReplyTimeoutMs = 60'000;  // without --wait: the daemon answers at once
constexpr int kLockAttempts = 100;       // x 100 ms: a daemon starting up, another flush
constexpr useconds_t kLockPauseUs = 100'000;

Status via_daemon(UniqueFd sock, const Request& request, ReplySink& sink) {
    auto text = encode_request(request);
    if (!text) return text.error();
    if (Status st = write_all(sock.get(), *text, "the control socket"); !st) return st;
    ReplyDecoder decoder(sink);
    std::vector<UniqueFd> fds;
    char buf[65536];
    while (!decoder.finished()) {
        pollfd p{sock.get(), POLLIN, 0};
        int ready = ::poll(&p, 1, request.wait ? -1 : kReplyTimeoutMs);
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0)
            return Error{EX_TEMPFAIL, fmt::format("nullrelayd did not answer within {} s",
                                                  kReplyTimeoutMs / 1000)};
        ssize_t n = receive_with_fds(sock.get(), buf, sizeof buf, fds);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return Error{EX_IOERR, fmt::format("reading from nullrelayd: {}", errno_text(errno))};
        if (n == 0) break;
        if (Status st = decoder.feed(std::string_view(buf, static_cast<size_t>(n)), fds); !st)
            return st;
    }
    return decoder.outcome();
}

// `nullrelayd --once`: delivers what is due (the flushed messages were made due), then exits.
Status run_delivery_once(const std::string& config_path) {
    std::string daemon = sibling_program("nullrelayd");
    // Its log goes where ours goes: the admin sees what the delivery run did.
    auto pid = spawn_child({.argv = {daemon, "--once", "-C", config_path},
                            .stdout_fd = STDOUT_FILENO,
                            .stderr_fd = STDERR_FILENO});
    if (!pid) return pid.error();
    int code = wait_child(*pid);
    if (code == EX_OK) return ok_status();
    return Error{code, fmt::format("{} --once failed (status {})", daemon, code)};
}

// Where a submission went during the delivery run, if not into the queue.
std::optional<Outcome> submission_left_behind(const Spool& spool, const std::string& id) {
    if (spool.maildrop().contains(id))
        return Outcome{id, EX_TEMPFAIL, "not picked up (see the log above)"};
    if (spool.maildrop().quarantined(id))
        return Outcome{id, EX_DATAERR, "refused at pickup: moved to corrupt/"};
    return std::nullopt;
}

Status direct(Spool& spool, UniqueFd lock, const std::string& config_path, const Request& request,
              ReplySink& sink) {
    OfflineDeliveryState deliveries(spool);
    QueueCommands commands(spool, deliveries);
    std::vector<std::string> submitted;
    if (request.action == Action::flush && request.selection.empty())
        // Complete submissions waiting in maildrop/: a plain flush delivers them too, under
        // the same names (pickup keeps the id).
        submitted = spool.maildrop().complete_ids();
    std::vector<std::string> pending = commands.act(request, sink);
    for (const Error& e : deliveries.errors)
        sink.problem(e);
    if (request.action != Action::flush) return ok_status();
    if (request.wait)
        for (const std::string& id : submitted)
            sink.waiting(id);
    lock.reset();  // nullrelayd --once takes it
    Status st = run_delivery_once(config_path);
    for (const std::string& id : pending)
        sink.result(commands.settle(id));
    if (request.wait)
        for (const std::string& id : submitted)
            sink.result(submission_left_behind(spool, id).value_or(commands.settle(id)));
    return st;
}

}  // namespace

Status become_spool_owner(const SpoolLayout& layout) {
    auto owner = layout.owner();
    if (!owner) return owner.error();
    if (::geteuid() == owner->uid) return ok_status();
    // The daemon's groups: its own, and the submission group of maildrop/ (nullrelay-submit),
    // whose files it reads through that group. No other group of root's is kept.
    std::vector<gid_t> groups;
    struct stat maildrop;
    if (::stat(layout.path(SpoolDir::maildrop).c_str(), &maildrop) == 0 &&
        maildrop.st_gid != owner->gid)
        groups.push_back(maildrop.st_gid);
    if (::setgroups(groups.size(), groups.data()) != 0 ||
        ::setresgid(owner->gid, owner->gid, owner->gid) != 0 ||
        ::setresuid(owner->uid, owner->uid, owner->uid) != 0 || ::geteuid() != owner->uid)
        return Error{EX_OSERR,
                     fmt::format("cannot switch to the owner of the spool {} (uid {}): {}",
                                 layout.root(), owner->uid, errno_text(errno))};
    return ok_status();
}

Status run_queue_request(const Config& config, const std::string& config_path,
                         const Request& request, ReplySink& sink) {
    const SpoolLayout layout(config.spool_dir);
    for (int attempt = 0;; ++attempt) {
        auto sock = connect_control_socket(layout.control_socket());
        if (sock) return via_daemon(std::move(*sock), request, sink);
        if (sock.error().exit_code != EX_UNAVAILABLE) return sock.error();
        if (::getuid() != 0)
            return Error{
                EX_UNAVAILABLE,
                fmt::format("nullrelayd is not running, and without it only root can {}",
                            request.action == Action::list ? "read the queue" : "reach the queue")};
        if (Status st = become_spool_owner(layout); !st) return st;
        auto spool = Spool::open(config.spool_dir);
        if (!spool)
            return Error{spool.error().exit_code,
                         fmt::format("cannot read the spool: {}", spool.error().message)};
        if (request.action == Action::list || request.action == Action::show ||
            request.action == Action::stats) {
            // Reading needs no lock: every change is an atomic rename. Nothing is in flight
            // without a daemon (a running nullrelayd --once is not seen).
            OfflineDeliveryState deliveries(*spool);
            QueueCommands commands(*spool, deliveries);
            if (request.action == Action::list)
                commands.list(request.selection, std::nullopt, sink);
            else if (request.action == Action::stats)
                commands.stats(sink);  // counts only: no counters without a daemon
            else
                commands.show(request.selection.ids.front(), sink);
            return ok_status();
        }
        auto lock = spool->lock(false);
        if (!lock) return lock.error();
        if (lock->valid()) return direct(*spool, std::move(*lock), config_path, request, sink);
        if (attempt >= kLockAttempts)
            return Error{EX_TEMPFAIL,
                         fmt::format("the spool {} is locked by another process (a nullrelayd "
                                     "starting, or a flush); try again",
                                     config.spool_dir)};
        ::usleep(kLockPauseUs);
    }
}

}  // namespace nullrelay
