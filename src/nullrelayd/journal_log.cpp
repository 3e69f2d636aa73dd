#include "nullrelayd/journal_log.hpp"

#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

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

bool journal_fields = false;  // set once at start, read by every thread after

bool send_to_journal(LogLevel level, std::string_view text, std::span<const LogField> fields) {
    std::vector<std::string> items;
    items.reserve(fields.size() + 3);
    items.push_back(fmt::format("MESSAGE={}{}",
                                level == LogLevel::warning ? "warning: "
                                : level == LogLevel::error ? "error: "
                                                           : "",
                                text));
    items.push_back(fmt::format("PRIORITY={}", priority(level)));
    items.push_back("SYSLOG_IDENTIFIER=nullrelayd");
    for (const LogField& f : fields)
        items.push_back(fmt::format("{}={}", f.name, f.value));
    std::vector<iovec> iov;
    iov.reserve(items.size());
    for (std::string& item : items)
        iov.push_back({item.data(), item.size()});
    return sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) == 0;
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
    journal_fields = stderr_is_journal();
}

void log_with_fields(LogLevel level, std::string_view text, std::span<const LogField> fields) {
    if (journal_fields && send_to_journal(level, text, fields)) return;
    log_line(level, text);
}

}  // namespace nullrelay
