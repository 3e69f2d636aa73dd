// One regular expression of a map (`/regex/flags`), compiled once with PCRE2 when the map is
// loaded. Matching is bounded: a match limit and a depth limit stop a pattern that backtracks
// catastrophically (threat: a local user who picks a recipient address that makes a careless
// rule such as /^(a+)+$/ run for minutes inside the daemon).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/result.hpp"

// PCRE2's types, declared here so that only map_pattern.cpp includes pcre2.h.
struct pcre2_real_code_8;
struct pcre2_real_match_data_8;

namespace nullrelay {

// The flags of pcre_table(5); each letter after the closing delimiter toggles one.
struct PatternFlags {
    bool caseless = true;         // i: on by default, as in Postfix
    bool multiline = false;       // m
    bool dotall = false;          // s
    bool extended = false;        // x: white space and #comments in the pattern are ignored
    bool anchored = false;        // A
    bool dollar_endonly = false;  // E
    bool ungreedy = false;        // U
};

class MapPattern {
  public:
    // Compiles `regex` (the text between the delimiters). The error message names the
    // problem and the offset in the regex; the caller adds file and line.
    static Result<MapPattern> compile(std::string_view regex, const PatternFlags& flags);

    int capture_count() const { return captures_; }

  private:
    friend class PatternMatcher;
    struct CodeDeleter {
        void operator()(pcre2_real_code_8* code) const;
    };
    std::unique_ptr<pcre2_real_code_8, CodeDeleter> code_;
    int captures_ = 0;
};

// Holds the per-match state (PCRE2 match data) for patterns with up to `max_captures`
// groups. One per lookup; not shared between threads.
class PatternMatcher {
  public:
    explicit PatternMatcher(int max_captures);
    ~PatternMatcher();
    PatternMatcher(const PatternMatcher&) = delete;
    PatternMatcher& operator=(const PatternMatcher&) = delete;

    // true: it matched and group() gives the captures; false: no match; an error when the
    // match or depth limit was reached (or PCRE2 failed otherwise).
    Result<bool> match(const MapPattern& pattern, std::string_view subject);
    // Group n of the last successful match ("" when the group did not take part).
    std::string_view group(std::string_view subject, int n) const;

  private:
    pcre2_real_match_data_8* data_ = nullptr;
};

// The match limit applied to every pattern (PCRE2's default is 10,000,000).
inline constexpr std::uint32_t kPatternMatchLimit = 100'000;

}  // namespace nullrelay
