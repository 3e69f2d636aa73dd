#include "maps/address_rewriter.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "mail/address.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

Result<std::shared_ptr<const AliasMap>> load_map(const std::string& path) {
    if (path.empty()) return std::shared_ptr<const AliasMap>();
    auto map = AliasMap::load(path);
    if (!map) return map.error();
    return std::shared_ptr<const AliasMap>(std::make_shared<AliasMap>(std::move(*map)));
}

std::string budget_spent(const RewriteBudget& budget) {
    return fmt::format("address rewriting took more than {} ms of CPU for this message",
                       budget.limit().count());
}

}  // namespace

Result<AddressMaps> load_address_maps(const Config& config) {
    AddressMaps maps;
    auto alias = load_map(config.alias_map);
    if (!alias) return alias.error();
    auto sender = load_map(config.sender_map);
    if (!sender) return sender.error();
    return AddressMaps{std::move(*alias), std::move(*sender)};
}

AddressRewriter::AddressRewriter(const Config& config, AddressMaps maps)
    : domain_(config.qualify_domain()),
      alias_all_(config.alias_scope == AliasScope::all),
      admin_(config.admin_address),
      maps_(std::move(maps)) {
    local_names_ = {"localhost", "localhost.localdomain"};
    if (!config.hostname.empty()) local_names_.insert(to_lower(config.hostname));
    for (const auto& d : config.local_domains)
        local_names_.insert(to_lower(d));
}

bool AddressRewriter::is_local(std::string_view address) const {
    std::string domain = domain_of(address);
    if (domain.empty()) return local_part_of(address).size() == address.size();  // no '@'
    return local_names_.count(domain) > 0;
}

std::string AddressRewriter::qualified(std::string_view address) const {
    if (!is_local(address) || domain_.empty()) return std::string(address);
    return fmt::format("{}@{}", local_part_of(address), domain_);
}

std::vector<std::string> AddressRewriter::keys_for(std::string_view address) const {
    std::vector<std::string> keys;
    bool bare = domain_of(address).empty() && local_part_of(address).size() == address.size();
    keys.push_back(bare && !domain_.empty() ? fmt::format("{}@{}", address, domain_)
                                            : std::string(address));
    if (is_local(address)) keys.emplace_back(local_part_of(address));
    return keys;
}

Result<std::optional<MapMatch>> AddressRewriter::look_up(const AliasMap& map,
                                                         std::string_view address,
                                                         std::vector<std::string>* trace,
                                                         const std::string& indent) const {
    for (const std::string& key : keys_for(address)) {
        auto m = map.lookup(key);
        if (!m) return m.error();
        if (trace) {
            if (*m)
                trace->push_back(fmt::format("{}key {}: {}:{}: {}", indent, key, map.path(),
                                             (*m)->line, (*m)->rule));
            else
                trace->push_back(
                    fmt::format("{}key {}: no rule in {} matches", indent, key, map.path()));
        }
        if (*m) return m;
    }
    return std::optional<MapMatch>();
}

// The expansion of one submitted recipient: a depth-first walk over the map's results.
class AddressRewriter::Expansion {
  public:
    Expansion(const AddressRewriter& rw, std::vector<std::string>* trace, RewriteBudget* budget)
        : rw_(rw), trace_(trace), budget_(budget) {}

    // False when it failed; problem says why.
    bool expand(const std::string& address, std::vector<std::string>& chain) {
        const std::string indent(2 * (chain.size() - 1), ' ');
        auto note = [&](std::string text) {
            if (trace_) trace_->push_back(indent + text);
        };
        const bool local = rw_.is_local(address);
        if (!rw_.maps_.alias || (!local && !rw_.alias_all_)) {
            if (!local) {
                note(fmt::format("{}: not local: unchanged", address));
                return add(address);
            }
            return unmatched(address, note);
        }
        if (++lookups_ > kMaxAliasLookups)
            return fail(fmt::format("more than {} lookups for one recipient", kMaxAliasLookups));
        if (budget_ && budget_->spent()) return fail(budget_spent(*budget_));
        auto m = rw_.look_up(*rw_.maps_.alias, address, trace_, indent);
        if (!m) return fail(m.error().message);
        if (!*m) {
            if (local) return unmatched(address, note);
            note(fmt::format("{}: no alias: unchanged", address));
            return add(address);
        }
        const MapMatch& match = **m;
        if (match.results.empty())
            return fail(fmt::format("{}:{}: the result is empty for {}", rw_.maps_.alias->path(),
                                    match.line, address));
        for (const std::string& r : match.results) {
            if (std::string why = envelope_address_problem(r); !why.empty())
                return fail(fmt::format("{}:{}: result '{}' for {} is not an address: {}",
                                        rw_.maps_.alias->path(), match.line, one_line(r), address,
                                        why));
            if (iequals(r, address)) {  // mapped to itself: keep it (Postfix does the same)
                note(fmt::format("{}: maps to itself: kept", r));
                if (!add(rw_.qualified(r))) return false;
                continue;
            }
            auto in_chain = [&](const std::string& a) { return iequals(a, r); };
            if (std::any_of(chain.begin(), chain.end(), in_chain)) {
                std::string path;
                for (const auto& a : chain)
                    path += a + " -> ";
                return fail(fmt::format("alias loop: {}{}", path, r));
            }
            if (static_cast<int>(chain.size()) >= kMaxAliasDepth)
                return fail(fmt::format("more than {} levels of aliases below {}", kMaxAliasDepth,
                                        chain.front()));
            chain.push_back(r);
            bool ok = expand(r, chain);
            chain.pop_back();
            if (!ok) return false;
        }
        return true;
    }

    std::vector<std::string> addresses;
    std::string problem;

  private:
    template <class Note>
    bool unmatched(const std::string& address, Note& note) {
        if (!rw_.admin_.empty()) {
            note(fmt::format("{}: local, no alias: admin_address {}", address, rw_.admin_));
            return add(rw_.admin_);
        }
        std::string q = rw_.qualified(address);
        note(fmt::format("{}: local, no alias: {}", address, q));
        return add(q);
    }
    bool add(const std::string& address) {
        if (std::none_of(addresses.begin(), addresses.end(),
                         [&](const std::string& a) { return iequals(a, address); }))
            addresses.push_back(address);
        if (addresses.size() > kMaxAliasResults)
            return fail(fmt::format("more than {} addresses for one recipient", kMaxAliasResults));
        return true;
    }
    bool fail(std::string why) {
        problem = std::move(why);
        return false;
    }

    const AddressRewriter& rw_;
    std::vector<std::string>* trace_;
    RewriteBudget* budget_;
    int lookups_ = 0;
};

Rewritten AddressRewriter::recipient(std::string_view address, std::vector<std::string>* trace,
                                     RewriteBudget* budget) const {
    Expansion x(*this, trace, budget);
    const std::string first(address);  // not chain.front(): chain grows while it is in use
    std::vector<std::string> chain = {first};
    if (x.expand(first, chain)) return {std::move(x.addresses), ""};
    // Nothing is lost: the recipient goes somewhere a person reads.
    std::string fallback = admin_.empty() ? qualified(address) : admin_;
    if (trace)
        trace->push_back(fmt::format("error: {}; {} goes to {} instead{}", x.problem, address,
                                     fallback, admin_.empty() ? "" : " (admin_address)"));
    return {{fallback}, x.problem};
}

Rewritten AddressRewriter::sender(std::string_view address, std::vector<std::string>* trace,
                                  RewriteBudget* budget) const {
    if (address.empty()) return {{""}, ""};
    std::string problem;
    if (maps_.sender && budget && budget->spent()) {
        problem = budget_spent(*budget);
    } else if (maps_.sender) {
        auto m = look_up(*maps_.sender, address, trace, "");
        if (!m) {
            problem = m.error().message;
        } else if (*m) {
            const MapMatch& match = **m;
            std::string why =
                match.results.size() == 1
                    ? envelope_address_problem(match.results[0])
                    : fmt::format("{} addresses where a sender needs one", match.results.size());
            if (why.empty()) {
                std::string result = qualified(match.results[0]);
                if (trace) trace->push_back(fmt::format("sender {}: {}", address, result));
                return {{result}, ""};
            }
            problem = fmt::format("{}:{}: sender_map result for {}: {}", maps_.sender->path(),
                                  match.line, address, why);
        }
        if (!problem.empty() && trace) trace->push_back("error: " + problem + "; map not used");
    }
    std::string result = qualified(address);
    if (trace) trace->push_back(fmt::format("sender {}: {}", address, result));
    return {{result}, problem};
}

}  // namespace nullrelay
