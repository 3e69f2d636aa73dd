#include "util/log.hpp"

#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <string>

namespace nullrelay {

void log_line(LogLevel level, std::string_view text) {
    static std::mutex mutex;
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
