#include "nullrelayd/daemon.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <tuple>

#include <fmt/format.h>

#include "control/queue_census.hpp"
#include "nullrelayd/control_server.hpp"
#include "nullrelayd/credentials.hpp"
#include "nullrelayd/delivery.hpp"
#include "nullrelayd/prometheus_text.hpp"
#include "nullrelayd/smtp_session.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"
#include "util/sys_error.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

constexpr std::int64_t kPickupRetrySeconds = 30;
// Submissions taken per batch by pick_up_all (synchronous): they share two directory fsyncs.
// The pickup thread's batches ramp up to the same size (pickup_batch.hpp).
constexpr size_t kPickupBatch = PickupBatchSize::kLargest;

// Whether a new configuration reaches the smarthost another way: another host, TLS setting,
// account or secret. Mail deferred under the old one may well go now.
bool same_way_out(const Config& a, const Credentials& ca, const Config& b, const Credentials& cb) {
    auto oauth2 = [](const OAuth2Config& o) {
        return std::tie(o.grant, o.token_url, o.client_id, o.scope, o.client_secret_file,
                        o.client_secret_command, o.state_dir, o.tls_ca_file);
    };
    return a.smarthosts == b.smarthosts && a.tls == b.tls && a.tls_ca_file == b.tls_ca_file &&
           a.tls_ca_path == b.tls_ca_path && a.tls_min_version == b.tls_min_version &&
           a.tls_pin_sha256 == b.tls_pin_sha256 && a.tls_client_cert == b.tls_client_cert &&
           a.tls_client_key == b.tls_client_key && a.hostname == b.hostname &&
           a.auth_user == b.auth_user && a.auth_mechanism == b.auth_mechanism &&
           oauth2(a.oauth2) == oauth2(b.oauth2) && ca.password == cb.password &&
           ca.command == cb.command;
}

void read_counter(int fd) {
    std::uint64_t v;
    while (::read(fd, &v, sizeof v) > 0) {
    }
}

}  // namespace

// What the queue commands on the control socket may ask of the schedule and tell it
// (queue_commands.hpp). Used in the event-loop thread only, like the schedule itself.
class Daemon::QueueView final : public DeliveryState {
  public:
    explicit QueueView(Daemon& d) : d_(d) {}
    bool in_flight(const std::string& id) const override { return d_.in_flight_.count(id) > 0; }
    bool due(const std::string& id) const override {
        auto it = d_.due_at_.find(id);
        return it != d_.due_at_.end() && it->second <= now_seconds();
    }
    // A queue command (flush, release, requeue, hold, delete) may have rewritten the envelope:
    // the census reads it again. The daemon's own scheduling never does.
    void schedule(const std::string& id, std::int64_t when) override {
        d_.attempted_.erase(id);
        d_.schedule(id, when);
    }
    void unschedule(const std::string& id) override {
        d_.attempted_.erase(id);
        if (auto it = d_.due_at_.find(id); it != d_.due_at_.end()) {
            d_.by_time_.erase({it->second, id});
            d_.due_at_.erase(it);
        }
    }
    void pick_up() override { d_.pick_up_all(); }
    std::string left_queue_as(const std::string& id) const override {
        auto it = d_.left_queue_.find(id);
        return it == d_.left_queue_.end() ? "" : it->second;
    }
    std::optional<std::vector<std::string>> submitted_by(std::uint32_t uid) const override {
        auto it = d_.submitted_by_.find(uid);
        if (it == d_.submitted_by_.end()) return std::vector<std::string>();
        return std::vector<std::string>(it->second.begin(), it->second.end());
    }
    void forget(const std::string& id) override { d_.index_remove(id); }
    std::optional<bool> attempted(const std::string& id) const override {
        auto it = d_.attempted_.find(id);
        if (it == d_.attempted_.end()) return std::nullopt;
        return it->second;
    }
    std::optional<DeliveryCounts> counters() const override { return d_.counters_.snapshot(); }
    void set_paused(bool paused) override { d_.set_paused(paused); }

  private:
    Daemon& d_;
};

Daemon::Daemon(Config config, Credentials credentials, DaemonOptions options)
    : config_(std::move(config)),
      credentials_(std::move(credentials)),
      options_(std::move(options)) {}

Daemon::~Daemon() {
    stop_pickup();
    stop_workers();
    stop_reaper();
}

Status Daemon::start() {
    auto spool = Spool::open(config_.spool_dir);
    if (!spool) return spool.error();
    spool_ = std::make_unique<Spool>(std::move(*spool));
    auto lock = spool_->lock(false);
    if (!lock) return lock.error();
    if (!lock->valid())
        return Error{EX_TEMPFAIL,
                     fmt::format("another nullrelayd is already running on {}", config_.spool_dir)};
    lock_ = std::move(*lock);
    spool_->remove_orphans();

    epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
    timer_.reset(::timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC));
    wake_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    sigset_t mask;
    sigemptyset(&mask);
    for (int sig : {SIGTERM, SIGINT, SIGHUP})
        sigaddset(&mask, sig);
    signal_.reset(::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!epoll_.valid() || !timer_.valid() || !wake_.valid() || !signal_.valid())
        return Error{EX_OSERR, fmt::format("cannot set up the event loop: {}", errno_text(errno))};
    std::vector<int> fds = {timer_.get(), wake_.get(), signal_.get()};
    if (!options_.once) {
        inotify_.reset(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
        // IN_ATTRIB: sendmail set the completion mark. IN_CLOSE_WRITE: a writer went away
        // (maybe leaving an incomplete file to remove).
        if (!inotify_.valid() ||
            ::inotify_add_watch(inotify_.get(), spool_->maildrop().path().c_str(),
                                IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_TO) < 0)
            return Error{EX_OSERR, fmt::format("cannot watch {}: {}", spool_->maildrop().path(),
                                               errno_text(errno))};
        queue_view_ = std::make_unique<QueueView>(*this);
        auto control =
            ControlServer::start(spool_->layout().control_socket(), *spool_, config_, *queue_view_);
        if (!control) return control.error();
        control_server_ = std::move(*control);
        fds.push_back(inotify_.get());
        fds.push_back(control_server_->fd());
    }
    for (int fd : fds) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
            return Error{EX_OSERR, fmt::format("epoll_ctl: {}", errno_text(errno))};
    }
    map_files_ = MapFiles(config_);
    auto maps = load_address_maps(config_);
    if (!maps) return maps.error();
    pickup_ = std::make_unique<Pickup>(*spool_, config_, *maps);
    settings_ = std::make_shared<const DeliverySettings>(config_, std::move(credentials_), *maps);
    abort_transfers_ = false;
    jobs_.reopen();
    set_worker_count(config_.connections);
    reaper_ = std::thread([this] {
        while (auto id = retired_.pop())
            spool_->purge_retired(*id);
    });
    pickup_thread_ = std::thread([this] {
        while (auto job = pickup_jobs_.pop()) {
            std::vector<PickupResult> results = job->pickup->take(job->names);
            {
                std::lock_guard lock(picked_up_mutex_);
                picked_up_.emplace(std::move(job->names), std::move(results));
            }
            picked_up_cv_.notify_all();
            std::uint64_t one = 1;
            ssize_t n = ::write(wake_.get(), &one, sizeof one);
            (void)n;
        }
    });

    // What was there before we started: the queue, then (from the event loop, batch by batch)
    // the submissions waiting in maildrop/.
    queue_maildrop();
    for (const std::string& id : spool_->list(Place::queue)) {
        auto env = spool_->load(Place::queue, id);
        // One that cannot be read now is tried at once: delivery retries it or, when it will
        // never load, moves it to corrupt/ and tells the postmaster (never left unscheduled).
        schedule(id, options_.flush_all || !env ? 0 : env->next_attempt);
        if (env) {
            index_add(id, env->submitter_uid);
            attempted_[id] = env->attempts > 0;
        }
    }
    for (Place place : {Place::hold, Place::failed})
        for (const std::string& id : spool_->list(place))
            if (auto env = spool_->load(place, id)) index_add(id, env->submitter_uid);
    // A pause outlives a restart: the admin lifts it, not a reboot.
    if (auto pause = spool_->pause_state(); !pause)
        log_error("{}; deliveries go on", pause.error().message);
    else if (*pause) {
        paused_ = true;
        log_info("deliveries {}: mail is queued, nothing is sent until `nullrelay resume`",
                 describe_pause(**pause));
    }
    log_info("nullrelayd started: spool {}, {} queued, {} to pick up, smarthost {}",
             config_.spool_dir, due_at_.size(), pickup_backlog_.size(),
             config_.smarthosts.empty()
                 ? std::string("(none)")
                 : fmt::format("{}:{}", config_.smarthosts[0].host, config_.smarthosts[0].port));
    return ok_status();
}

std::shared_ptr<const Daemon::DeliverySettings> Daemon::delivery_settings() {
    std::lock_guard lock(settings_mutex_);
    return settings_;
}

void Daemon::set_worker_count(int connections) {
    for (; running_workers_ < connections; ++running_workers_)
        workers_.emplace_back([this] { worker_main(); });
    for (; running_workers_ > connections; --running_workers_)
        jobs_.push(std::string());  // the end marker: one thread ends after its message
}

void Daemon::stop_workers() {
    // Handed out but not started: still due (a restart of the workers must find them).
    for (const std::string& id : jobs_.close()) {
        if (id.empty()) continue;  // an end marker
        in_flight_.erase(id);
        schedule(id, 0);
    }
    for (auto& t : workers_)
        t.join();
    workers_.clear();
    running_workers_ = 0;
    drain_completions();
}

void Daemon::stop_pickup() {
    if (!pickup_thread_.joinable()) return;
    wait_for_pickup();
    pickup_jobs_.close();
    pickup_thread_.join();
}

void Daemon::stop_reaper() {
    if (!reaper_.joinable()) return;
    for (const std::string& id : retired_.close())
        spool_->purge_retired(id);
    reaper_.join();
}

void Daemon::worker_main() {
    std::shared_ptr<const DeliverySettings> settings;
    std::unique_ptr<Deliverer> deliverer;  // its connections, made with `settings`
    while (auto id = jobs_.pop()) {
        if (id->empty()) break;  // a reload lowered `connections`
        if (auto now = delivery_settings(); now != settings) {
            deliverer.reset();  // the old connections go with the old settings
            settings = std::move(now);
            const DeliverySettings* s = settings.get();
            auto smtp = [this, s](const Smarthost& host) -> std::unique_ptr<Transport> {
                return std::make_unique<SmtpSession>(s->config, host, s->credentials,
                                                     &abort_transfers_);
            };
            deliverer = std::make_unique<Deliverer>(*spool_, s->config, smtp, s->rewriter,
                                                    &abort_transfers_);
            deliverer->set_verbose(options_.verbose);
            deliverer->set_counters(&counters_);
        }
        auto outcome = deliverer->deliver(*id);
        if (outcome.retired) retired_.push(*id);
        {
            std::lock_guard lock(completions_mutex_);
            completions_.push_back({*id, outcome.next_attempt, std::move(outcome.queued),
                                    std::move(outcome.left_as), outcome.retired,
                                    outcome.attempt_stored});
        }
        std::uint64_t one = 1;
        ssize_t n = ::write(wake_.get(), &one, sizeof one);
        (void)n;
    }
}

void Daemon::drain_completions() {
    std::vector<Completion> done;
    {
        std::lock_guard lock(completions_mutex_);
        done.swap(completions_);
    }
    for (auto& c : done) {
        in_flight_.erase(c.id);
        attempted_.erase(c.id);  // its envelope changed (or left queue/)
        if (c.retired) index_remove(c.id);
        for (const std::string& id : c.queued)
            index_add(id, static_cast<std::uint32_t>(::geteuid()));  // bounces, notices
        if (!c.left_as.empty()) {
            if (left_queue_.size() > 100000) left_queue_.clear();
            left_queue_[c.id] = c.left_as;
        }
        if (c.next_attempt) schedule(c.id, *c.next_attempt);
        if (c.next_attempt && c.attempt_stored) attempted_[c.id] = true;
        for (const std::string& id : c.queued) {
            schedule(id, 0);
            attempted_[id] = false;  // a new bounce or notice
        }
    }
}

void Daemon::index_add(const std::string& id, std::uint32_t uid) {
    index_remove(id);
    submitter_of_[id] = uid;
    submitted_by_[uid].insert(id);
}

void Daemon::index_remove(const std::string& id) {
    attempted_.erase(id);
    auto it = submitter_of_.find(id);
    if (it == submitter_of_.end()) return;
    auto own = submitted_by_.find(it->second);
    own->second.erase(id);
    if (own->second.empty()) submitted_by_.erase(own);
    submitter_of_.erase(it);
}

void Daemon::schedule(const std::string& id, std::int64_t when) {
    if (auto it = due_at_.find(id); it != due_at_.end()) {
        by_time_.erase({it->second, id});
        due_at_.erase(it);
    }
    if (in_flight_.count(id)) return;  // its worker reports the next time itself
    due_at_[id] = when;
    by_time_.insert({when, id});
}

void Daemon::set_paused(bool paused) {
    if (paused == paused_) return;
    paused_ = paused;
    if (paused)
        log_info(
            "deliveries paused by the admin: mail is queued, nothing is sent until "
            "`nullrelay resume`");
    else
        log_info("deliveries resumed: {} message(s) waiting", due_at_.size());
}

void Daemon::dispatch_due() {
    if (paused_) return;  // what is due stays due, and goes once deliveries resume
    const std::int64_t now = now_seconds();
    while (!by_time_.empty() && by_time_.begin()->first <= now) {
        std::string id = by_time_.begin()->second;
        by_time_.erase(by_time_.begin());
        due_at_.erase(id);
        in_flight_.insert(id);
        jobs_.push(id);
    }
}

void Daemon::arm_timer() {
    if (pickup_waiting_.empty() && pickup_backlog_.empty()) pickup_recheck_wait_ = 1;
    std::int64_t next = 0;
    if (!by_time_.empty() && !paused_) next = by_time_.begin()->first;
    if (pickup_retry_at_ && (!next || pickup_retry_at_ < next)) next = pickup_retry_at_;
    if (pickup_recheck_at_ && (!next || pickup_recheck_at_ < next)) next = pickup_recheck_at_;
    itimerspec spec{};
    if (next) spec.it_value.tv_sec = std::max<std::int64_t>(next, 1);  // 0 would disarm
    ::timerfd_settime(timer_.get(), TFD_TIMER_ABSTIME, &spec, nullptr);
}

void Daemon::queue_for_pickup(const std::string& name) {
    // Until a smarthost is configured, submissions wait in maildrop/ untouched: picked up
    // later, they are rewritten with the configuration then in force (the admin's aliases
    // and sender_domain, not the defaults of a fresh install). mailq lists them meanwhile.
    if (config_.smarthosts.empty()) {
        if (!holding_logged_)
            log_info(
                "no smarthost configured: submissions wait in maildrop/ until one is (set "
                "smarthost in {} and reload)",
                config_.path.empty() ? std::string(kDefaultConfigPath) : config_.path);
        holding_logged_ = true;
        return;
    }
    if (in_backlog_.insert(name).second) pickup_backlog_.push_back(name);
}

void Daemon::queue_maildrop() {
    for (const std::string& name : spool_->maildrop().scan())
        if (!pickup_failed_.count(name)) queue_for_pickup(name);
}

void Daemon::pick_up_batch() {
    std::vector<std::string> names;
    while (!pickup_backlog_.empty() && names.size() < kPickupBatch) {
        names.push_back(std::move(pickup_backlog_.front()));
        pickup_backlog_.pop_front();
        in_backlog_.erase(names.back());
    }
    std::vector<PickupResult> batch = pickup_->take(names);
    for (size_t i = 0; i < batch.size(); ++i)
        report_pickup(names[i], batch[i]);
}

void Daemon::reload_if_maps_changed() {
    if (!map_files_.changed()) return;
    log_info("a map file changed (alias_map, sender_map or aliases_file): reloading");
    reload();
}

void Daemon::send_pickup_batch() {
    if (pickup_in_hand_) return;
    if (pickup_backlog_.empty()) {
        pickup_batch_size_.reset();
        return;
    }
    reload_if_maps_changed();
    std::vector<std::string> names;
    const size_t limit = pickup_batch_size_.next();
    while (!pickup_backlog_.empty() && names.size() < limit) {
        names.push_back(std::move(pickup_backlog_.front()));
        pickup_backlog_.pop_front();
        in_backlog_.erase(names.back());
    }
    pickup_in_hand_ = true;
    pickup_jobs_.push({pickup_.get(), std::move(names)});
}

void Daemon::drain_pickup() {
    std::optional<std::pair<std::vector<std::string>, std::vector<PickupResult>>> done;
    {
        std::lock_guard lock(picked_up_mutex_);
        done.swap(picked_up_);
    }
    if (!done) return;
    pickup_in_hand_ = false;
    for (size_t i = 0; i < done->second.size(); ++i)
        report_pickup(done->first[i], done->second[i]);
}

void Daemon::wait_for_pickup() {
    if (!pickup_in_hand_) return;
    {
        std::unique_lock lock(picked_up_mutex_);
        picked_up_cv_.wait(lock, [&] { return picked_up_.has_value(); });
    }
    drain_pickup();
}

void Daemon::report_pickup(const std::string& name, const PickupResult& r) {
    using Kind = PickupResult::Kind;
    switch (r.kind) {
        case Kind::queued:
            if (pickup_paused_) {
                log_info("pickup resumed: the spool has room again");
                pickup_paused_ = false;
            }
            log_info("{}: uid={} from=<{}>, size={}, nrcpt={} (queue active)", r.envelope.id,
                     r.envelope.submitter_uid, r.envelope.sender, r.envelope.size,
                     r.envelope.recipients.size());
            schedule(r.envelope.id, r.envelope.next_attempt);  // 0, or later with -odq
            index_add(r.envelope.id, r.envelope.submitter_uid);
            attempted_[r.envelope.id] = false;
            break;
        case Kind::quarantined:
            log_warning("maildrop/{}: {}; moved to corrupt/{}", one_line(name), r.detail,
                        r.notice.empty() ? "" : "; the submitter is told by " + r.notice);
            if (!r.notice.empty()) {
                schedule(r.notice, 0);
                index_add(r.notice, static_cast<std::uint32_t>(::geteuid()));
                attempted_[r.notice] = false;
            }
            break;
        case Kind::no_room:
            // Logged once; the submissions wait in maildrop/, looked at again every 30 s.
            if (!pickup_paused_)
                log_warning("pickup paused: {}; submissions wait in maildrop/", r.detail);
            pickup_paused_ = true;
            pickup_retry_at_ = now_seconds() + kPickupRetrySeconds;
            pickup_failed_.insert(name);
            break;
        case Kind::failed:
            log_error("maildrop/{}: {}; will try again", one_line(name), r.detail);
            pickup_retry_at_ = now_seconds() + kPickupRetrySeconds;
            pickup_failed_.insert(name);  // retried by the timer or a flush, not by events
            break;
        case Kind::removed_abandoned:
            // An empty one held nothing (sendmail -bp, -q and -bs give theirs up): no news.
            if (r.detail != "empty")
                log_info("maildrop/{}: removed an incomplete submission", one_line(name));
            break;
        case Kind::not_ready:
            pickup_waiting_.insert(name);
            if (!pickup_recheck_at_) {
                pickup_recheck_at_ = now_seconds() + pickup_recheck_wait_;
                pickup_recheck_wait_ = std::min<std::int64_t>(pickup_recheck_wait_ * 2, 64);
            }
            break;
        case Kind::staged:  // commit() leaves none
        case Kind::gone:
            break;
    }
}

void Daemon::recheck_waiting() {
    std::unordered_set<std::string> waiting;
    waiting.swap(pickup_waiting_);
    for (const std::string& name : waiting)
        queue_for_pickup(name);
    pickup_recheck_at_ = 0;
}

void Daemon::pick_up_all() {
    pickup_retry_at_ = 0;
    pickup_failed_.clear();
    wait_for_pickup();
    reload_if_maps_changed();
    queue_maildrop();
    while (!pickup_backlog_.empty())
        pick_up_batch();
}

void Daemon::handle_inotify() {
    alignas(inotify_event) char buf[16384];
    for (;;) {
        ssize_t n = ::read(inotify_.get(), buf, sizeof buf);
        if (n <= 0) break;
        for (char* p = buf; p < buf + n;) {
            auto* ev = reinterpret_cast<inotify_event*>(p);
            if (ev->mask & IN_Q_OVERFLOW) {
                queue_maildrop();  // events were lost: look at everything
            } else if (ev->len > 0 && !pickup_failed_.count(ev->name)) {
                queue_for_pickup(ev->name);
            }
            p += sizeof(inotify_event) + ev->len;
        }
    }
}

void apply_log_setting(LogSetting setting) {
    static const bool discarded = standard_error_is_discarded();
    const bool syslog =
        setting == LogSetting::syslog || (setting == LogSetting::automatic && discarded);
    set_log_destination(syslog ? LogDestination::syslog : LogDestination::standard_error);
}

void Daemon::reload() {
    map_files_ = MapFiles(config_);  // tried as they are now, even if the reload fails
    auto config = load_config(options_.config_path, true);
    if (!config) {
        log_error("reload: {}; keeping the running configuration", config.error().message);
        return;
    }
    resolve_host_defaults(*config);
    apply_log_setting(config->log);
    // Even if this reload fails, these files were tried as they are now: not again until the
    // admin changes one (one error in the log, not one per message).
    map_files_ = MapFiles(*config);
    auto credentials = load_credentials(*config);
    if (!credentials) {
        log_error("reload: {}; keeping the running configuration", credentials.error().message);
        return;
    }
    // The maps belong to the configuration: both change, or neither.
    auto maps = load_address_maps(*config);
    if (!maps) {
        log_error("reload: {}; keeping the running configuration and maps", maps.error().message);
        return;
    }
    if (config->spool_dir != config_.spool_dir) {
        log_warning("reload: spool_dir changed; that takes a restart. Keeping {}",
                    config_.spool_dir);
        config->spool_dir = config_.spool_dir;
    }
    // Delivery threads take the new settings at their next message; nothing waits for them.
    // Pickup finishes the batch in hand with the old maps first (one batch, bounded).
    wait_for_pickup();
    auto settings =
        std::make_shared<const DeliverySettings>(*config, std::move(*credentials), *maps);
    const bool new_way_out =
        !same_way_out(delivery_settings()->config, delivery_settings()->credentials,
                      settings->config, settings->credentials);
    {
        std::lock_guard lock(settings_mutex_);
        settings_ = std::move(settings);
    }
    config_ = std::move(*config);
    pickup_ = std::make_unique<Pickup>(*spool_, config_, std::move(*maps));
    set_worker_count(config_.connections);
    log_info("configuration reloaded from {}", config_.path);
    if (!config_.smarthosts.empty() && holding_logged_) {
        holding_logged_ = false;
        queue_maildrop();  // what waited for a smarthost
    }
    if (new_way_out) {
        // The admin fixed the smarthost, the account or TLS: what waits should try it now,
        // not at its retry time (up to retry_max away).
        std::vector<std::string> waiting;
        for (const auto& [when, id] : by_time_)
            if (when > now_seconds()) waiting.push_back(id);
        for (const std::string& id : waiting)
            schedule(id, 0);
        if (!waiting.empty())
            log_info("the smarthost settings changed: {} deferred message(s) due now",
                     waiting.size());
    }
}

void Daemon::handle_signal() {
    signalfd_siginfo info;
    while (::read(signal_.get(), &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGHUP) {
            reload();
        } else if (!stopping_) {
            log_info("stopping on signal {}; {} delivery(ies) in flight", info.ssi_signo,
                     in_flight_.size());
            stopping_ = true;
            stop_deadline_ms_ = monotonic_ms() + config_.shutdown_timeout.count() * 1000;
            for (const std::string& id : jobs_.close())
                in_flight_.erase(id);
        }
    }
}

bool Daemon::idle() const {
    return in_flight_.empty() && pickup_backlog_.empty() && !pickup_in_hand_ &&
           (paused_ || by_time_.empty() || by_time_.begin()->first > now_seconds());
}

void Daemon::write_metrics() {
    if (!queue_view_) return;  // --once: no metrics file
    metrics_.configure(config_.metrics_file, config_.metrics_interval);
    metrics_.write_if_due(monotonic_ms(), [this] {
        QueueStats stats = count_queue(*spool_, *queue_view_, now_seconds());
        stats.counters = counters_.snapshot();
        return MetricsFile::Rendered{prometheus_text(stats), stats.total() > 0};
    });
}

int Daemon::run() {
    if (Status st = start(); !st) {
        log_error("{}", st.error().message);
        return st.error().exit_code;
    }
    for (;;) {
        drain_completions();
        drain_pickup();
        if (control_server_) control_server_->check_waiters();
        if (stopping_ && in_flight_.empty() && !pickup_in_hand_) break;
        if (!stopping_) {
            send_pickup_batch();
            dispatch_due();
        }
        if (options_.once && idle()) break;
        arm_timer();
        write_metrics();
        int timeout = metrics_.timeout_ms(monotonic_ms());
        if (stopping_) {
            std::int64_t left = stop_deadline_ms_ - monotonic_ms();
            if (left <= 0 && !abort_transfers_) {
                log_warning("abandoning {} delivery(ies) in flight; they stay queued",
                            in_flight_.size());
                abort_transfers_ = true;
            }
            timeout = left > 0 ? static_cast<int>(left) : 200;
        }
        epoll_event events[8];
        int n = ::epoll_wait(epoll_.get(), events, 8, timeout);
        if (n > 0) metrics_.touch();  // whatever woke us may have changed a value
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            if (fd == wake_.get())
                read_counter(fd);
            else if (fd == timer_.get()) {
                read_counter(fd);
                if (pickup_retry_at_ && pickup_retry_at_ <= now_seconds()) pick_up_all();
                if (pickup_recheck_at_ && pickup_recheck_at_ <= now_seconds()) recheck_waiting();
            } else if (fd == signal_.get())
                handle_signal();
            else if (fd == inotify_.get() && !stopping_)
                handle_inotify();
            else if (control_server_ && fd == control_server_->fd()) {
                drain_completions();  // answer with what the delivery threads have finished
                control_server_->handle();
            }
        }
    }
    stop_pickup();
    stop_workers();
    stop_reaper();
    control_server_.reset();
    log_info("nullrelayd stopped");
    return EX_OK;
}

}  // namespace nullrelay
