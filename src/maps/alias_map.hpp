// A map in Postfix's regexp:/pcre: table syntax (regexp_table(5), pcre_table(5)), so that an
// admin can bring the map of a Postfix null client unchanged:
//
//   # comment                          blank lines and comments are ignored
//   /^(root|postmaster)$/  admin@example.net
//   /^([^@]+)$/            ${1}@example.net, archive@example.net    (a list)
//   !/@example\.net$/i     outside@example.net                       (when it does NOT match)
//   if /^svc-/                                                       (nestable, also "if !/.../")
//   /-backup$/             backups@example.net
//   endif
//
// A line that starts with white space continues the previous one. The delimiter may be any
// punctuation character (#x# is not: a line starting with # is a comment). Flags toggle:
// i (case-insensitive by default), m, s, x, A, E, U; X is accepted and changes nothing (PCRE2
// always refuses what PCRE's X refused). $1, ${1} and $(1) insert a group; $$ is a dollar.
// Patterns are PCRE2 patterns for regexp: maps too (POSIX EREs read the same for the usual
// address patterns; x means PCRE2's extended syntax, as in pcre_table(5)).
//
// The first rule that matches wins. Every error names the file and line (EX_CONFIG): an
// unclosed pattern, an unknown flag, a $N beyond the pattern's groups, a bad regex, a result
// that is not an address, an if without endif.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "maps/map_pattern.hpp"
#include "util/result.hpp"

namespace nullrelay {

// What a lookup found, for the rewriter and for `nullrelay rewrite`.
struct MapMatch {
    int line = 0;                      // where the rule starts in the file
    std::string rule;                  // the rule as written: "/^root$/ admin@example.net"
    std::vector<std::string> results;  // after substitution, split at commas, trimmed
};

class AliasMap {
  public:
    static Result<AliasMap> load(const std::string& path);
    // Parses `text` as if read from `path` (for messages). Does not touch the file system.
    static Result<AliasMap> parse(std::string_view text, const std::string& path);

    // The first rule that matches `key`, or nullopt. An error when a pattern hit the match
    // limit: the caller must not guess what a later rule would have given.
    Result<std::optional<MapMatch>> lookup(std::string_view key) const;

    const std::string& path() const { return path_; }
    size_t rule_count() const { return rule_count_; }

  private:
    // A piece of a result template: literal text, or group `group` when group >= 0.
    struct Piece {
        std::string text;
        int group = -1;
    };
    struct Entry {
        explicit Entry(MapPattern p) : pattern(std::move(p)) {}
        MapPattern pattern;
        bool negated = false;
        bool is_if = false;
        size_t end = 0;  // is_if: the index just past the block
        int line = 0;
        std::string source;         // the rule's text, for traces
        std::vector<Piece> result;  // rules only
        int max_group = -1;
    };
    class Parser;

    Result<bool> test(const Entry& e, std::string_view key, PatternMatcher& m) const;
    MapMatch expand(const Entry& e, std::string_view key, const PatternMatcher& m) const;
    // The first matching rule among entries [begin, end), one by one.
    Result<std::optional<size_t>> scan(size_t begin, size_t end, std::string_view key,
                                       PatternMatcher& m) const;

    std::string path_;
    std::vector<Entry> entries_;
    size_t rule_count_ = 0;
    int max_captures_ = 0;
};

}  // namespace nullrelay
