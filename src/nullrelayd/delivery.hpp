// Delivers one queued message: one SMTP transaction with all its pending recipients, through
// the smarthosts in order until one gives a verdict; then records the result in the queue
// (docs/queue.md): failed recipients -> a bounce to the sender is queued first; some left ->
// retry later with backoff (the rest bounces once queue_lifetime is over); nothing left ->
// removed, or, for a bounce that itself failed, moved to failed/ (never bounced, never dropped).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "maps/address_rewriter.hpp"
#include "nullrelayd/bounce.hpp"
#include "nullrelayd/delivery_counters.hpp"
#include "nullrelayd/transport.hpp"
#include "queue/spool.hpp"
#include "util/clock.hpp"

namespace nullrelay {

// Seconds to wait after the n-th failed attempt (n >= 1): retry_min doubling to retry_max.
std::int64_t backoff_seconds(const Config& config, int attempts);

class Deliverer {
  public:
    // `transports` makes the connection to each smarthost (SmtpSession in nullrelayd, a
    // scripted Transport in tests); `rewriter` (with the maps) addresses bounces. Both must
    // outlive the Deliverer. `abort_flag` (may be null): nullrelayd is stopping, do not try
    // the next smarthost.
    Deliverer(Spool& spool, const Config& config, TransportFactory transports,
              const AddressRewriter& rewriter, const std::atomic<bool>* abort_flag);
    ~Deliverer();

    struct Outcome {
        // When the message wants its next attempt (seconds since the epoch), or nullopt when
        // it has left the queue (delivered, bounced, failed) or cannot be handled now.
        std::optional<std::int64_t> next_attempt;
        // Messages this delivery queued (bounces), due now.
        std::vector<std::string> queued;
        // How the message left the queue, when it did: "delivered", or "bounced: <reason>".
        std::string left_as;
        // It left by Spool::retire(): Spool::purge_retired() is still to be called.
        bool retired = false;
        // It stays in queue/ with an envelope that counts this attempt (false: none stored,
        // and the daemon's census reads the envelope when it counts).
        bool attempt_stored = false;
    };
    Outcome deliver(const std::string& id);
    // Log the SMTP dialogue of every attempt, credentials redacted (nullrelayd --verbose).
    void set_verbose(bool verbose) { verbose_ = verbose; }
    // Count every recipient line, connection and transaction there (null: none); it must
    // outlive the Deliverer.
    void set_counters(DeliveryCounters* counters) { counters_ = counters; }
    // The time that arrival, backoff and expiry are measured in (tests set it).
    void set_clock(Clock clock) { clock_ = std::move(clock); }

  private:
    Transport& transport(size_t index);
    // The envelope or content could not be loaded: retried later when the error may pass,
    // moved to corrupt/ with a notice to the postmaster when it will not.
    Outcome cannot_load(const std::string& id, const Error& error);
    // Records the attempt's outcome in the queue; see the header comment.
    // `failed`: the recipients (by index) that failed for good in this attempt.
    Outcome finish(Envelope& envelope,
                   const std::vector<std::pair<size_t, FailedRecipient>>& failed);

    Spool& spool_;
    const Config& config_;
    TransportFactory make_transport_;
    const AddressRewriter& rewriter_;
    const std::atomic<bool>* abort_flag_;
    std::vector<std::unique_ptr<Transport>> transports_;  // one per smarthost, made on first use
    bool verbose_ = false;
    DeliveryCounters* counters_ = nullptr;
    std::unordered_map<std::string, int> load_failures_;  // transient load errors, for backoff
    Clock clock_ = wall_clock();
};

}  // namespace nullrelay
