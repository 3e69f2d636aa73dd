// /etc/aliases (aliases(5)), as sendmail, Postfix and dma read it: `name: address, address`,
// `#` comments, lines that start with white space continue the previous one, names matched
// without regard to case. A null client delivers nothing locally, so entries that do
// (`|command`, `/file`, `:include:list`) are skipped, each with a warning naming its line;
// the others still apply. Errors (a line without a colon, a result that is not an address)
// name the file and line (EX_CONFIG).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "maps/alias_map.hpp"
#include "util/result.hpp"

namespace nullrelay {

class AliasesFile {
  public:
    static Result<AliasesFile> load(const std::string& path);
    // Parses `text` as if read from `path`. Does not touch the file system.
    static Result<AliasesFile> parse(std::string_view text, const std::string& path);

    // The entry for a local name, as a map match (line, the entry as written, its results).
    std::optional<MapMatch> lookup(std::string_view name) const;

    const std::string& path() const { return path_; }
    size_t size() const { return entries_.size(); }
    // "/etc/aliases:7: |/usr/bin/procmail: delivers locally, which a null client does not;
    // skipped", one per entry skipped.
    const std::vector<std::string>& warnings() const { return warnings_; }

  private:
    std::string path_;
    std::unordered_map<std::string, MapMatch> entries_;  // by lowercased name
    std::vector<std::string> warnings_;
};

}  // namespace nullrelay
