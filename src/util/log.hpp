// The daemon's log: one line per event on stderr, which systemd sends to the journal (and a
// terminal shows in --foreground), or through syslog(3) with facility mail (the `log` key:
// without systemd, rsyslog files the lines in /var/log/mail.log). Thread-safe; lines never
// interleave.
#pragma once

#include <string_view>

#include <fmt/format.h>

namespace nullrelay {

enum class LogLevel { info, warning, error };

void log_line(LogLevel level, std::string_view text);

// Where the lines go from now on: stderr (the default) or syslog(3) as `ident` with facility
// LOG_MAIL and the pid, each line at its level (info, warning, err).
enum class LogDestination { standard_error, syslog };
void set_log_destination(LogDestination destination, const char* ident = "nullrelayd");

// True when standard error goes nowhere: closed, or /dev/null (start-stop-daemon
// --background, a bare init). `log = auto` then means syslog.
bool standard_error_is_discarded();

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
