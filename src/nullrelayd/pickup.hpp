// Moves one file from maildrop/ into the queue. maildrop/ is written by local users, so every
// file is hostile input: opened without following links, checked for type, link count and
// size, parsed strictly; who submitted it is the file's owner, never what the file says.
#pragma once

#include <string>

#include "config/config.hpp"
#include "maps/address_rewriter.hpp"
#include "queue/envelope.hpp"
#include "queue/spool.hpp"
#include "queue/submitters.hpp"

namespace nullrelay {

struct PickupResult {
    enum class Kind {
        queued,             // now in queue/; envelope holds it
        staged,             // internal: content in data/, not yet queued (never returned)
        not_ready,          // still being written: wait for the writer to close it
        gone,               // vanished, or was already queued before a crash: nothing to do
        removed_abandoned,  // incomplete and unlocked: its writer gave up
        quarantined,        // failed validation: moved to corrupt/
        failed,             // could not be queued now (disk full...): left in maildrop/
        no_room,            // the spool is below half its reserve: left in maildrop/
    };
    Kind kind = Kind::gone;
    std::string detail;
    Envelope envelope;
    // quarantined: the notice to the submitter queued for it (due now), or "" when it could
    // not be queued (the reason is in `detail`).
    std::string notice;
    // staged: data/<id>, written and its writeback started; commit() queues it.
    StagedContent content;
};

class Pickup {
  public:
    // `maps` are the loaded alias_map and sender_map (load_address_maps); none by default.
    Pickup(Spool& spool, const Config& config, AddressMaps maps = {})
        : spool_(spool), config_(config), rewriter_(config, std::move(maps)) {}

    PickupResult take(const std::string& name);
    // Takes a batch: the files are read and copied in parallel, then queued together
    // (Spool::queue_staged: their fsyncs share journal commits, and all share one fsync of
    // data/ and one of queue/). One result per name, in the same order.
    std::vector<PickupResult> take(const std::vector<std::string>& names);
    // The rewriting pickup applies, with the loaded maps (e.g. for a bounce to a local name).
    const AddressRewriter& rewriter() const { return rewriter_; }

  private:
    // Validates the file and writes its content to data/ (not yet fsynced): `staged` when it
    // worked.
    PickupResult prepare(const std::string& name) const;
    // Makes the staged results queued (or failed, their maildrop files left for a retry).
    void commit(std::vector<PickupResult>& batch);

    Spool& spool_;
    const Config& config_;
    AddressRewriter rewriter_;
    mutable SubmitterCache submitters_;  // for one batch
};

}  // namespace nullrelay
