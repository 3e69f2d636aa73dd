// The queue commands (list, show, flush, hold, release, delete, requeue) as one piece of code
// that runs in one of two places, never both: inside nullrelayd's event loop when the daemon
// runs (it alone knows which messages are being delivered), or in the admin program, holding
// the spool lock, when it does not. Either way exactly one process moves queued messages at a
// time (docs/queue.md), and a message being delivered is never moved or deleted under its
// delivery thread: such a request is refused with EX_TEMPFAIL and the admin tries again once
// the attempt is over (`nullrelay flush --wait ID` waits for it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/listed_message.hpp"
#include "control/queue_selection.hpp"
#include "control/queue_stats.hpp"
#include "queue/spool.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace nullrelay {

enum class Action { list, show, flush, hold, release, remove, requeue, pause, resume, stats };
std::string_view to_string(Action action);  // the protocol word: list, ..., delete, requeue
std::optional<Action> action_named(std::string_view word);
// Whether the action changes the queue (or, for show, reads content): admins only. (stats:
// counts and counters, no address, id or content: anyone, as Postfix's mailq shows all.)
bool is_privileged(Action action);

struct Request {
    Action action = Action::list;
    Selection selection;
    bool wait = false;   // flush: report each message's outcome once its attempt is over
    std::string reason;  // pause: the admin's words (check_pause_reason)
};

// The subject of the outcome of pause and resume, which concern no one message.
inline constexpr std::string_view kDeliveriesSubject = "deliveries";

// What became of one message.
struct Outcome {
    std::string id;
    int code = EX_OK;  // sysexits: EX_NOINPUT unknown id, EX_TEMPFAIL being delivered or
                       // deferred, EX_UNAVAILABLE failed, EX_USAGE not applicable, ...
    std::string text;  // "held", "deleted", "delivered", "deferred: 451 ..."
    bool operator==(const Outcome&) const = default;
};

// Where the results of a command go: the control connection in the daemon, the terminal in
// the admin program (directly, or through the protocol decoder).
class ReplySink {
  public:
    virtual ~ReplySink() = default;
    virtual void message(const ListedMessage& listed) = 0;
    virtual void problem(const Error& error) = 0;  // a queue file that cannot be read
    virtual void result(const Outcome& outcome) = 0;
    virtual void waiting(const std::string& id) = 0;  // flush --wait: its result comes later
    virtual void content(UniqueFd fd) = 0;            // show: the message as queued (CRLF)
    // stats: one value (queue_stats.hpp: stats_fields).
    virtual void stat(const std::string& /*name*/, const std::string& /*value*/) {}
    virtual void paused(const DeliveryPause&) {}  // list: deliveries are paused
};

// What the process that runs the commands knows about deliveries.
class DeliveryState {
  public:
    virtual ~DeliveryState() = default;
    // Handed to a delivery thread (or about to be): must not be moved or deleted.
    virtual bool in_flight(const std::string& id) const = 0;
    // Scheduled for an attempt at or before now.
    virtual bool due(const std::string& id) const = 0;
    virtual void schedule(const std::string& id, std::int64_t when) = 0;  // 0: now
    virtual void unschedule(const std::string& id) = 0;
    virtual void pick_up() = 0;  // take in what waits in maildrop/
    // How a message that left the queue lately left it ("delivered", "bounced: ..."), or "".
    virtual std::string left_queue_as(const std::string&) const { return ""; }
    // The ids of the messages `uid` submitted, when an index of them is kept (the daemon),
    // so that a user's listing costs their own messages, not the whole queue's.
    virtual std::optional<std::vector<std::string>> submitted_by(std::uint32_t) const {
        return std::nullopt;
    }
    // A message deleted for good: its index entry can go.
    virtual void forget(const std::string&) {}
    // Whether the message in queue/ has had an attempt (its envelope's `attempts` > 0), when
    // known without reading the envelope: the daemon remembers it, so that `nullrelay stats`
    // costs no envelope read per message (queue_census.hpp).
    virtual std::optional<bool> attempted(const std::string&) const { return std::nullopt; }
    // The delivery counters since start (queue_stats.hpp), when a daemon keeps them.
    virtual std::optional<DeliveryCounts> counters() const { return std::nullopt; }
    // The admin paused or resumed deliveries (the spool's pause file is already written).
    virtual void set_paused(bool) {}
};

// Without a daemon: nothing is in flight; a schedule is written into the envelope's
// next_attempt, which the next nullrelayd run (or `nullrelayd --once`) honours.
class OfflineDeliveryState : public DeliveryState {
  public:
    explicit OfflineDeliveryState(Spool& spool) : spool_(spool) {}
    bool in_flight(const std::string&) const override { return false; }
    bool due(const std::string&) const override { return false; }
    void schedule(const std::string& id, std::int64_t when) override;
    void unschedule(const std::string&) override {}
    void pick_up() override {}
    std::vector<Error> errors;  // schedules that could not be written

  private:
    Spool& spool_;
};

class QueueCommands {
  public:
    QueueCommands(Spool& spool, DeliveryState& deliveries)
        : spool_(spool), deliveries_(deliveries) {}

    // Every message in queue/, hold/ and failed/ that the selection picks (an empty selection
    // picks all), oldest first. With only_uid, only that submitter's messages, and unreadable
    // files are not reported (they might be anyone's).
    void list(const Selection& selection, std::optional<std::uint32_t> only_uid, ReplySink& sink);
    // The same in two steps, so that a listing of a long queue can go a slice at a time: the
    // messages it may show, oldest first (for a user, only theirs when DeliveryState knows
    // them), then each one loaded and shown when it qualifies.
    struct Target;
    std::vector<Target> list_targets(const Selection& selection,
                                     std::optional<std::uint32_t> only_uid);
    void list_one(const Target& target, const Selection& selection,
                  std::optional<std::uint32_t> only_uid, ReplySink& sink);
    void show(const std::string& id, ReplySink& sink);
    // The messages by state, the oldest one's age and the counters (queue_census.hpp).
    void stats(ReplySink& sink);
    // One message a change applies to, and where it is.
    struct Target {
        std::string id;
        Place place;
        bool in_maildrop = false;  // list only: a submission not yet picked up
    };
    // Tells the sink when deliveries are paused (list, before the messages).
    void report_pause(ReplySink& sink);
    // flush, hold, release, remove, requeue, in two steps so that a caller can spread a long
    // selection over time (the daemon's event loop must not stall on thousands of fsyncs):
    // select() resolves the selection (reporting unknown ids and unreadable files; a flush
    // picks up new submissions first; pause and resume are done here, with no target),
    // apply() changes one message and reports its outcome,
    // or returns true when the outcome comes later (flush with wait): ask settle() once the
    // DeliveryState says its attempt is over.
    std::vector<Target> select(const Request& request, ReplySink& sink);
    bool apply(const Request& request, const Target& target, ReplySink& sink);
    // Both steps at once. Returns the ids whose outcome is still to come.
    std::vector<std::string> act(const Request& request, ReplySink& sink);
    // Where a flushed message stands now that its attempt is over.
    Outcome settle(const std::string& id);

  private:
    std::vector<Target> targets(const Request& request, ReplySink& sink);
    std::optional<Place> find(const std::string& id) const;
    Outcome change(Action action, const Target& target, bool& wait_for_it);
    Outcome hold(const Target& target);
    Outcome release(const Target& target);
    Outcome remove(const Target& target);
    Outcome requeue(const Target& target);
    Outcome pause(const std::string& reason);
    Outcome resume();

    Spool& spool_;
    DeliveryState& deliveries_;
};

}  // namespace nullrelay
