// Turns the addresses a local program gave into the ones that go on the wire.
//
// Recipients. An address is *local* when it has no domain or its domain is one of the local
// names (hostname, localhost, localhost.localdomain, local_domains). alias_map applies to local
// recipients (to all with alias_scope = all). In order of precedence:
//   1. a rule matches: its results replace the address; a result that is itself in scope is
//      looked up again (at most kMaxAliasDepth levels); a result equal to the address it came
//      from is kept as is (qualified when local), which exempts it from admin_address;
//   2. no rule matches a local address: admin_address when set,
//   3. else the local part @ sender_domain (Postfix's append_at_myorigin; root@localhost
//      becomes root@<sender_domain> too).
// A map is consulted with the whole address first (a bare name as name@sender_domain, which
// is what a Postfix null client's virtual_alias_maps see), then, for a local address, with
// the local part alone (what aliases(5) see).
// When expanding fails (a loop, too deep, a result that is not an address, a pattern that hit
// its match limit, the message's RewriteBudget spent), the recipient is not lost: it goes to
// admin_address when set, else to the address as submitted, qualified as in 3; `problem` says why,
// for the log.
//
// Senders. The null sender stays null. sender_map (when set) applies to every sender: the
// first result of the first matching rule replaces it (one address; no recursion). Otherwise
// a local sender is qualified as in 3; other senders pass unchanged.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "maps/alias_map.hpp"
#include "maps/rewrite_budget.hpp"

namespace nullrelay {

inline constexpr int kMaxAliasDepth = 20;
inline constexpr int kMaxAliasLookups = 1000;  // per submitted recipient, against fan-out
inline constexpr size_t kMaxAliasResults = 1000;

struct AddressMaps {
    std::shared_ptr<const AliasMap> alias;   // alias_map, or null
    std::shared_ptr<const AliasMap> sender;  // sender_map, or null
};

// Loads the maps the configuration names. Errors name the file and line (EX_CONFIG).
Result<AddressMaps> load_address_maps(const Config& config);

struct Rewritten {
    std::vector<std::string> addresses;  // recipients: one or more, deduplicated, in order;
                                         // senders: exactly one ("" for the null sender)
    std::string problem;                 // why a map was not followed; "" when all went well
};

class AddressRewriter {
  public:
    // `config` must have its host defaults resolved (resolve_host_defaults).
    explicit AddressRewriter(const Config& config, AddressMaps maps = {});

    // With `trace`, each step is appended as one line of text (`nullrelay rewrite`). With
    // `budget`, no map is consulted once it is spent (pickup then refuses the message).
    Rewritten recipient(std::string_view address, std::vector<std::string>* trace = nullptr,
                        RewriteBudget* budget = nullptr) const;
    Rewritten sender(std::string_view address, std::vector<std::string>* trace = nullptr,
                     RewriteBudget* budget = nullptr) const;

    bool is_local(std::string_view address) const;
    // A local address as it leaves: local part @ sender_domain. Others unchanged.
    std::string qualified(std::string_view address) const;
    const AddressMaps& maps() const { return maps_; }

  private:
    class Expansion;
    // The keys a map is consulted with for `address`, in order.
    std::vector<std::string> keys_for(std::string_view address) const;
    Result<std::optional<MapMatch>> look_up(const AliasMap& map, std::string_view address,
                                            std::vector<std::string>* trace,
                                            const std::string& indent) const;

    std::string domain_;  // sender_domain, or hostname
    std::set<std::string, std::less<>> local_names_;
    bool alias_all_ = false;
    std::string admin_;
    AddressMaps maps_;
};

}  // namespace nullrelay
