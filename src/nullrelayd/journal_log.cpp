#include "nullrelayd/journal_log.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "nullrelayd/journal_socket.hpp"
#include "util/log.hpp"

namespace nullrelay {

namespace {

int priority(LogLevel level) {
    switch (level) {
        case LogLevel::info:
            return 6;
        case LogLevel::warning:
            return 4;
        case LogLevel::error:
            return 3;
    }
    return 6;
}

// Opened once at start when stderr is the journal, read by every thread after.
std::optional<JournalSocket> journal;

bool send_to_journal(LogLevel level, std::string_view text, std::span<const LogField> fields) {
    std::string message = fmt::format("{}{}",
                                      level == LogLevel::warning ? "warning: "
                                      : level == LogLevel::error ? "error: "
                                                                 : "",
                                      text);
    std::string level_number = std::to_string(priority(level));
    std::vector<JournalField> entry{
        {"MESSAGE", message}, {"PRIORITY", level_number}, {"SYSLOG_IDENTIFIER", "nullrelayd"}};
    entry.insert(entry.end(), fields.begin(), fields.end());
    return journal->send(journal_entry(entry));
}

}  // namespace

bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (!stream) return false;
    unsigned long long dev = 0, ino = 0;
    char end = 0;
    if (std::sscanf(stream, "%llu:%llu%c", &dev, &ino, &end) != 2) return false;
    struct stat st {};
    if (::fstat(2, &st) != 0) return false;
    return static_cast<unsigned long long>(st.st_dev) == dev &&
           static_cast<unsigned long long>(st.st_ino) == ino;
}

void use_journal_fields() {
    if (stderr_is_journal()) journal.emplace();
}

void log_with_fields(LogLevel level, std::string_view text, std::span<const LogField> fields) {
    if (journal && send_to_journal(level, text, fields)) return;
    log_line(level, text);
}

}  // namespace nullrelay
