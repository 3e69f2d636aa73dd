#include "maps/aliases_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "mail/address.hpp"
#include "maps/logical_lines.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

bool delivers_locally(std::string_view value) {
    if (value.starts_with("\"")) value.remove_prefix(1);
    return value.starts_with("|") || value.starts_with("/") || istarts_with(value, ":include:");
}

}  // namespace

Result<AliasesFile> AliasesFile::parse(std::string_view text, const std::string& path) {
    AliasesFile file;
    file.path_ = path;
    auto entries = logical_lines(text, path, "an entry");
    if (!entries) return entries.error();
    for (const LogicalLine& l : *entries) {
        // An entry and its continuation lines, trimmed and joined by a space.
        std::string entry(trim(l.first));
        for (std::string_view more : l.more)
            entry += " " + std::string(trim(more));
        const int line = l.number;
        auto fail = [&, line = line](std::string why) {
            return Error{EX_CONFIG, fmt::format("{}:{}: {}", path, line, why)};
        };
        size_t colon = entry.find(':');
        if (colon == std::string::npos || colon == 0)
            return fail(fmt::format("expected 'name: address, ...', got '{}'", one_line(entry)));
        std::string name = to_lower(trim(std::string_view(entry).substr(0, colon)));
        if (!is_valid_envelope_address(name) || name.find('@') != std::string::npos)
            return fail(fmt::format("'{}' is not a local name", one_line(name)));
        MapMatch match{line, entry, {}};
        for (std::string_view value : split(std::string_view(entry).substr(colon + 1), ',')) {
            value = trim(value);
            if (value.empty()) continue;
            if (delivers_locally(value)) {
                file.warnings_.push_back(
                    fmt::format("{}:{}: {}: delivers locally, which a null client does not; "
                                "skipped",
                                path, line, one_line(value)));
                continue;
            }
            if (std::string why = envelope_address_problem(value); !why.empty())
                return fail(fmt::format("'{}' is not an address: {}", one_line(value), why));
            match.results.emplace_back(value);
        }
        if (match.results.empty()) continue;  // nothing this relay can send to
        file.entries_.insert_or_assign(std::move(name), std::move(match));  // the last wins
    }
    return file;
}

Result<AliasesFile> AliasesFile::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{EX_CONFIG, fmt::format("cannot read {}: {}", path, std::strerror(errno))};
    std::stringstream buf;
    buf << in.rdbuf();
    return parse(buf.str(), path);
}

std::optional<MapMatch> AliasesFile::lookup(std::string_view name) const {
    auto it = entries_.find(to_lower(name));
    if (it == entries_.end()) return std::nullopt;
    return it->second;
}

}  // namespace nullrelay
