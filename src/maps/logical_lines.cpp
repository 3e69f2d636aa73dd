#include "maps/logical_lines.hpp"

#include <sysexits.h>

#include <fmt/format.h>

#include "util/text.hpp"

namespace nullrelay {

Result<std::vector<LogicalLine>> logical_lines(std::string_view text, const std::string& path,
                                               std::string_view what) {
    std::vector<LogicalLine> lines;
    int number = 0;
    for (std::string_view line : split(text, '\n')) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        std::string_view t = trim(line);
        if (t.empty() || t.front() == '#') continue;
        if (is_blank(line.front())) {
            if (lines.empty())
                return Error{EX_CONFIG,
                             fmt::format("{}:{}: the line starts with white space, which "
                                         "continues {}, but none came before",
                                         path, number, what)};
            lines.back().more.push_back(line);
            continue;
        }
        lines.push_back({number, line, {}});
    }
    return lines;
}

std::string LogicalLine::joined() const {
    std::string out(first);
    for (std::string_view line : more)
        out += line;
    return out;
}

}  // namespace nullrelay
