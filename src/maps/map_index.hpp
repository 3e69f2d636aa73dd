// Which top-level entries of a map can match a key, without trying each one: a rule that
// matches one string only (/^root$/) is found by hashing that string, a rule or if-block
// whose matches all start with a known prefix (/^svc-\d+$/) by hashing the key's first
// characters; the rest are candidates for every key. A map of 10,000 per-user and
// per-service rules then costs a few hash lookups per key instead of 10,000 matches.
//
// It only narrows: every candidate is still matched for real, in map order, so the first
// rule that matches wins exactly as without the index.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "maps/map_pattern.hpp"

namespace nullrelay {

class MapIndex {
  public:
    // Top-level entries, in increasing order. A rule's exact literal ends the candidates for
    // its string (nothing after a matching rule can win); an if-block's never does.
    void add(size_t entry, const MapPattern& pattern, bool negated, bool is_rule);

    // The candidates for `key`, in map order. Not for keys that contain a newline
    // (see MapPattern::exact_literal).
    void candidates(std::string_view key, std::vector<size_t>& out) const;

  private:
    struct Family {  // caseless: keys lowercased; exact: as written
        std::unordered_map<std::string, size_t> literals;  // string -> first rule
        std::map<size_t, std::unordered_map<std::string, std::vector<size_t>>> by_prefix_length;
    };
    void add_hits(const Family& f, const std::string& key, size_t& best,
                  std::vector<size_t>& hits) const;

    Family caseless_, exact_;
    std::vector<size_t> always_;
};

}  // namespace nullrelay
