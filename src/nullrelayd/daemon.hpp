// nullrelayd's event loop. One thread watches maildrop/ (inotify), the control socket,
// signals and one timer set to the earliest next attempt; it picks up new mail (a batch per
// turn, so delivery of one batch overlaps the pickup of the next) and hands due messages to
// `connections` delivery threads, each with its own reusable SMTP connection. Nothing polls: an
// idle daemon sleeps until a submission, a command, a signal or the next retry.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "config/config.hpp"
#include "maps/address_rewriter.hpp"
#include "maps/map_files.hpp"
#include "nullrelayd/credentials.hpp"
#include "nullrelayd/delivery_counters.hpp"
#include "nullrelayd/metrics_file.hpp"
#include "nullrelayd/pickup.hpp"
#include "nullrelayd/pickup_batch.hpp"
#include "queue/spool.hpp"
#include "util/clock.hpp"
#include "util/unique_fd.hpp"
#include "util/work_queue.hpp"

namespace nullrelay {

class ControlServer;

// Sends the log where the `log` key says (util/log.hpp); automatic looks at stderr as it was
// when the daemon started.
void apply_log_setting(LogSetting setting);

struct DaemonOptions {
    bool once = false;  // deliver what is due (all with flush_all), then exit
    bool flush_all = false;
    std::string config_path;
    bool verbose = false;  // log the (redacted) SMTP transcript of every attempt
};

class Daemon {
  public:
    Daemon(Config config, Credentials credentials, DaemonOptions options);
    ~Daemon();
    // Runs until SIGTERM/SIGINT (or, with `once`, until the work is done). Returns an exit code.
    int run();

  private:
    struct Completion {
        std::string id;
        std::optional<std::int64_t> next_attempt;
        std::vector<std::string> queued;  // new messages (bounces), due now
        std::string left_as;              // how it left the queue, if it did
        bool retired = false;             // it left the spool (delivered, or bounced)
        bool attempt_stored = false;      // its envelope in queue/ counts an attempt
    };

    Status start();
    // Starts or ends delivery threads until `connections` of them run (an ending thread
    // finishes its message first: it takes the end marker from the work queue like a job).
    void set_worker_count(int connections);
    void stop_workers();
    void worker_main();
    void stop_reaper();
    void stop_pickup();
    void queue_for_pickup(const std::string& name);
    // Everything in maildrop/ but what failed lately (pickup_failed_) joins the backlog.
    void queue_maildrop();
    // The next batch of the backlog, taken here in the event loop's thread (a flush).
    void pick_up_batch();
    // The next batch of the backlog, handed to the pickup thread (unless one is in hand).
    void send_pickup_batch();
    // Reports the batch the pickup thread finished, if it did.
    void drain_pickup();
    // Waits until the pickup thread holds no batch (before a flush or a reload takes pickup_).
    void wait_for_pickup();
    void report_pickup(const std::string& name, const PickupResult& result);
    // Picks up everything in maildrop/ now (a flush, the retry timer).
    void pick_up_all();
    // Looks again at the submissions whose writer held its lock (pickup_waiting_).
    void recheck_waiting();
    void schedule(const std::string& id, std::int64_t when);
    void dispatch_due();
    void arm_timer();
    void drain_completions();
    void handle_inotify();
    void handle_signal();
    void reload();
    bool idle() const;

    // What delivery threads read, as of the last load: immutable, shared. A reload publishes a
    // new one and returns; each thread takes it up at its next message and finishes the one in
    // hand with the old, so a reload never waits for a smarthost.
    struct DeliverySettings {
        DeliverySettings(Config c, Credentials cr, AddressMaps maps)
            : config(std::move(c)), credentials(std::move(cr)), rewriter(config, std::move(maps)) {}
        Config config;
        Credentials credentials;
        AddressRewriter rewriter;  // refers to `config`: never copied, shared by pointer
    };
    std::shared_ptr<const DeliverySettings> delivery_settings();

    Config config_;            // the event loop's (pickup, timers, control socket)
    Credentials credentials_;  // until start() hands them to the first DeliverySettings
    DaemonOptions options_;
    std::mutex settings_mutex_;
    std::shared_ptr<const DeliverySettings> settings_;
    std::unique_ptr<Spool> spool_;
    std::unique_ptr<Pickup> pickup_;
    bool paused_ = false;  // the admin paused deliveries (the spool's pause file)
    void set_paused(bool paused);
    MapFiles map_files_;  // what pickup_'s maps were loaded from; a change reloads
    // Reloads when a map file changed since it was loaded (before a pickup uses the maps).
    void reload_if_maps_changed();
    UniqueFd lock_, epoll_, inotify_, signal_, timer_, wake_;

    // Who submitted each message in the spool, so that a user's mailq loads only theirs
    // (event-loop thread only). A stale entry (a message gone) costs a failed lookup.
    void index_add(const std::string& id, std::uint32_t uid);
    void index_remove(const std::string& id);
    std::unordered_map<std::string, std::uint32_t> submitter_of_;
    std::unordered_map<std::uint32_t, std::set<std::string>> submitted_by_;

    std::set<std::pair<std::int64_t, std::string>> by_time_;
    std::unordered_map<std::string, std::int64_t> due_at_;
    std::unordered_set<std::string> in_flight_;
    // Whether each message in queue/ has had an attempt, as its envelope says, where the daemon
    // read or wrote that envelope itself: `nullrelay stats` and the metrics file count queued
    // and deferred from it instead of reading every envelope on the event loop (about 100 ms
    // for 10,000 messages, per request of any user). Dropped wherever the envelope may change
    // (a delivery, a queue command): then the census reads it.
    std::unordered_map<std::string, bool> attempted_;
    // How messages left the queue lately, for flush --wait (bounded: cleared when large).
    std::unordered_map<std::string, std::string> left_queue_;
    // maildrop/ names waiting to be picked up, a batch per event-loop turn (oldest first).
    std::deque<std::string> pickup_backlog_;
    std::unordered_set<std::string> in_backlog_;
    // Batches start at one submission and grow fourfold (pickup_batch.hpp): the first
    // delivery of a backlog waits for one message's commit, not for a whole batch.
    PickupBatchSize pickup_batch_size_;
    // Pickup runs on a thread of its own, one batch at a time, so that no submission (a huge
    // header, recipients a careless alias rule backtracks on) holds up the event loop: mailq,
    // flush, signals and dispatch go on meanwhile.
    struct PickupJob {
        Pickup* pickup;
        std::vector<std::string> names;
    };
    WorkQueue<PickupJob> pickup_jobs_;
    std::thread pickup_thread_;
    std::mutex picked_up_mutex_;
    std::condition_variable picked_up_cv_;
    std::optional<std::pair<std::vector<std::string>, std::vector<PickupResult>>> picked_up_;
    bool pickup_in_hand_ = false;       // a batch was sent and not yet reported
    std::int64_t pickup_retry_at_ = 0;  // a pickup failed (disk full...): scan again then
    bool pickup_paused_ = false;        // below the spool's reserve (logged once)
    bool holding_logged_ = false;       // no smarthost: submissions wait in maildrop/
    std::unordered_set<std::string> pickup_failed_;  // not retried on events until then
    // Submissions whose writer still held its lock when we looked. Its close wakes us, but the
    // kernel reports a close before it releases the lock: look again then, backing off while
    // a writer is slow (1 s doubling to 64 s), so no submission waits for the next event.
    std::unordered_set<std::string> pickup_waiting_;
    std::int64_t pickup_recheck_at_ = 0;
    std::int64_t pickup_recheck_wait_ = 1;

    WorkQueue<std::string> jobs_;
    std::mutex completions_mutex_;
    std::vector<Completion> completions_;
    std::vector<std::thread> workers_;
    int running_workers_ = 0;  // those not told to end
    // Delivered messages' files, unlinked off the delivery threads (Spool::retire).
    WorkQueue<std::string> retired_;
    std::thread reaper_;
    std::atomic<bool> abort_transfers_{false};
    bool stopping_ = false;
    std::int64_t stop_deadline_ms_ = 0;

    // Issue 22: what `nullrelay stats` and the metrics file report (delivery threads count,
    // the event loop reads), and the metrics file (event loop only).
    DeliveryCounters counters_{now_seconds()};
    MetricsFile metrics_;
    void write_metrics();

    // The control socket (queue commands run here, in the event-loop thread), and what it may
    // ask of the schedule. Declared last: destroyed first.
    class QueueView;
    std::unique_ptr<QueueView> queue_view_;
    std::unique_ptr<ControlServer> control_server_;
};

}  // namespace nullrelay
