// The daemon's log: one line per event on stderr, which systemd sends to the journal (and a
// terminal shows in --foreground). Thread-safe; lines never interleave.
#pragma once

#include <string_view>

#include <fmt/format.h>

namespace nullrelay {

enum class LogLevel { info, warning, error };

void log_line(LogLevel level, std::string_view text);

template <class... Args>
void log_info(fmt::format_string<Args...> f, Args&&... args) {
    log_line(LogLevel::info, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void log_warning(fmt::format_string<Args...> f, Args&&... args) {
    log_line(LogLevel::warning, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void log_error(fmt::format_string<Args...> f, Args&&... args) {
    log_line(LogLevel::error, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace nullrelay
