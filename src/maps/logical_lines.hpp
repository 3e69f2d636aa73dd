// The logical lines of a map or aliases file, as Postfix reads its tables: a line that starts
// with white space continues the one before; blank lines and lines starting with '#' are
// skipped (also between a line and its continuations). Shared by alias_map and aliases_file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace nullrelay {

struct LogicalLine {
    int number = 0;                      // where it starts, counted from 1
    std::string_view first;              // its first line, without CR
    std::vector<std::string_view> more;  // its continuation lines as written, without CR
    // As Postfix joins them for a regexp table: the lines one after the other, white space kept.
    std::string joined() const;
};

// The views point into `text`. A continuation before any line is an error naming `path` and the
// line; `what` says what a logical line is in that file ("an entry", "a line").
Result<std::vector<LogicalLine>> logical_lines(std::string_view text, const std::string& path,
                                               std::string_view what);

}  // namespace nullrelay
