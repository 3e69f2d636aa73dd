// What the text of a regular expression says for sure about the strings it matches: the
// literal prefixes every match starts with, and whether it matches those strings only. Maps
// index rules by them (map_index.hpp). The scanner is deliberately small and conservative:
// whatever syntax it is unsure about gives fewer or shorter prefixes, never wrong ones.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nullrelay {

struct PatternLiterals {
    // Every match starts with one of these ("svc-" for ^svc-\d+, "root" and "admin" for
    // ^(root|admin)@); empty when nothing is known. Lowercased for a caseless pattern.
    std::vector<std::string> prefixes;
    // True when the pattern matches exactly the prefixes and nothing else (^(root|admin)$).
    bool exact = false;
    // A string every match contains ("00042-" for ^[a-z]+00042-\w+$), for a cheap test
    // before the real match; "" when none of 2 characters or more is known.
    std::string required;
};

// Neither result holds for a subject that contains a newline: $ also matches before a final
// newline, and ^ after any newline under the m flag.
PatternLiterals analyze_literals(std::string_view regex, bool caseless, bool extended,
                                 bool anchored);

}  // namespace nullrelay
