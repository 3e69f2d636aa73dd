#include "util/log.hpp"

#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <string>

namespace nullrelay {

namespace {
std::mutex mutex;
bool to_syslog = false;  // guarded by mutex
}  // namespace

void set_log_destination(LogDestination destination, const char* ident) {
    std::lock_guard lock(mutex);
    const bool syslog = destination == LogDestination::syslog;
    if (syslog && !to_syslog)
        ::openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
    else if (!syslog && to_syslog)
        ::closelog();
    to_syslog = syslog;
}

bool standard_error_is_discarded() {
    struct stat err {
    }, null{};
    if (::fstat(STDERR_FILENO, &err) != 0) return true;  // closed
    return S_ISCHR(err.st_mode) && ::stat("/dev/null", &null) == 0 && S_ISCHR(null.st_mode) &&
           err.st_rdev == null.st_rdev;
}

void log_line(LogLevel level, std::string_view text) {
    {
        std::lock_guard lock(mutex);
        if (to_syslog) {
            // syslog(3) adds the time, the ident and the pid; the level is the priority (and
            // still a word of the line, as on stderr, for those who grep for it).
            const int priority = level == LogLevel::info      ? LOG_INFO
                                 : level == LogLevel::warning ? LOG_WARNING
                                                              : LOG_ERR;
            const char* prefix = level == LogLevel::info      ? ""
                                 : level == LogLevel::warning ? "warning: "
                                                              : "error: ";
            ::syslog(priority, "%s%.*s", prefix, static_cast<int>(text.size()), text.data());
            return;
        }
    }
    // Under systemd, sd-daemon(3) priority prefixes let the journal file each line under its
    // level; on a terminal they would only be noise.
    static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
    std::string line;
    switch (level) {
        case LogLevel::info:
            line = journal ? "<6>" : "";
            break;
        case LogLevel::warning:
            line = journal ? "<4>warning: " : "warning: ";
            break;
        case LogLevel::error:
            line = journal ? "<3>error: " : "error: ";
            break;
    }
    line += text;
    line += '\n';
    std::lock_guard lock(mutex);
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
}

}  // namespace nullrelay
