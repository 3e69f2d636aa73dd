// Moves one file from maildrop/ into the queue. maildrop/ is written by local users, so every
// file is hostile input: opened without following links, checked for type, link count and
// size, parsed strictly; who submitted it is the file's owner, never what the file says.
#pragma once

#include <string>

#include "address_rewriter.hpp"
#include "config.hpp"
#include "envelope.hpp"
#include "spool.hpp"

namespace nullrelay {

struct PickupResult {
    enum class Kind {
        queued,             // now in queue/; envelope holds it
        not_ready,          // still being written: wait for the writer to close it
        gone,               // vanished, or was already queued before a crash: nothing to do
        removed_abandoned,  // incomplete and unlocked: its writer gave up
        quarantined,        // failed validation: moved to corrupt/
        failed,             // could not be queued now (disk full...): left in maildrop/
    };
    Kind kind = Kind::gone;
    std::string detail;
    Envelope envelope;
};

class Pickup {
  public:
    // `maps` are the loaded alias_map and sender_map (load_address_maps); none by default.
    Pickup(Spool& spool, const Config& config, AddressMaps maps = {})
        : spool_(spool), config_(config), rewriter_(config, std::move(maps)) {}

    PickupResult take(const std::string& name);
    // Names of the files now in maildrop/ (oldest first).
    std::vector<std::string> scan() const;
    // The rewriting pickup applies, with the loaded maps (e.g. for a bounce to a local name).
    const AddressRewriter& rewriter() const { return rewriter_; }

  private:
    Spool& spool_;
    const Config& config_;
    AddressRewriter rewriter_;
};

}  // namespace nullrelay
