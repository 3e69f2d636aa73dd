// Small string helpers shared by the parsers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nullrelay {

std::string_view trim(std::string_view s);
// A space or a tab: what starts a continuation line in a map or an aliases file.
inline bool is_blank(char c) {
    return c == ' ' || c == '\t';
}
std::vector<std::string_view> split(std::string_view s, char sep);
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
// Replaces control characters (CR, LF, TAB, NUL...) by spaces: for text from a remote server
// or a local user that goes into a log line or a one-line record.
std::string one_line(std::string_view s);

}  // namespace nullrelay
