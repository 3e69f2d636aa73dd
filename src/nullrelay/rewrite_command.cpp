#include "nullrelay/rewrite_command.hpp"

#include <cstdio>

#include <fmt/format.h>

#include "mail/address.hpp"
#include "maps/address_rewriter.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

Result<AddressRewriter> load_rewriter(const Config& config) {
    auto maps = load_address_maps(config);
    if (!maps) return maps.error();
    return AddressRewriter(config, std::move(*maps));
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& a : items)
        out += (out.empty() ? "" : ", ") + (a.empty() ? std::string("<>") : a);
    return out;
}

}  // namespace

int rewrite_command(const Config& config, const std::vector<std::string>& addresses,
                    bool as_sender) {
    auto rw = load_rewriter(config);
    if (!rw) {
        std::fprintf(stderr, "nullrelay: %s\n", rw.error().message.c_str());
        return rw.error().exit_code;
    }
    int rc = EX_OK;
    for (const std::string& address : addresses) {
        std::string shown = one_line(address);
        bool null_sender = as_sender && (address.empty() || address == "<>");
        if (std::string why = envelope_address_problem(address); !why.empty() && !null_sender) {
            std::printf("%s: not a valid address: %s\n", shown.c_str(), why.c_str());
            rc = EX_DATAERR;
            continue;
        }
        std::vector<std::string> trace;
        Rewritten r = as_sender ? rw->sender(null_sender ? "" : address, &trace)
                                : rw->recipient(address, &trace);
        std::printf("%s%s\n", shown.c_str(), as_sender ? " (sender)" : "");
        for (const auto& line : trace)
            std::printf("  %s\n", line.c_str());
        std::printf("%s => %s\n", shown.c_str(), join(r.addresses).c_str());
        if (!r.problem.empty()) rc = EX_DATAERR;
    }
    return rc;
}

int check_address_maps(const Config& config) {
    auto maps = load_address_maps(config);
    if (!maps) {
        std::fprintf(stderr, "nullrelay: %s\n", maps.error().message.c_str());
        return maps.error().exit_code;
    }
    if (const AliasesFile* aliases = maps->aliases.get()) {
        // newaliases: what of /etc/aliases a null client uses, and what it leaves out.
        for (const std::string& warning : aliases->warnings())
            std::fprintf(stderr, "nullrelay: warning: %s\n", warning.c_str());
        std::printf("aliases_file %s: %zu alias%s\n", aliases->path().c_str(), aliases->size(),
                    aliases->size() == 1 ? "" : "es");
    }
    for (auto [key, map] :
         {std::pair{"alias_map", maps->alias.get()}, std::pair{"sender_map", maps->sender.get()}})
        if (map)
            std::printf("%s %s: %zu rule%s\n", key, map->path().c_str(), map->rule_count(),
                        map->rule_count() == 1 ? "" : "s");
    return EX_OK;
}

}  // namespace nullrelay
