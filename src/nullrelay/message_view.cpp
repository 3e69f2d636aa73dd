#include "nullrelay/message_view.hpp"

#include <unistd.h>

#include <ctime>

#include <fmt/format.h>

#include "util/sys_error.hpp"
#include "util/terminal_text.hpp"

namespace nullrelay {

namespace {

std::string local_time(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ::localtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y %z", &tm);
    return buf;
}

}  // namespace

std::string format_envelope_view(const ListedMessage& m) {
    const Envelope& e = m.envelope;
    std::string out;
    auto field = [&](std::string_view name, const std::string& value) {
        out += fmt::format("{:<14}{}\n", fmt::format("{}:", name), terminal_safe(value));
    };
    field("Queue ID", e.id);
    field("State", fmt::format("{} (in {}/)", message_state(m), to_string(m.place)));
    field("Arrival", local_time(e.arrival));
    field("Size", fmt::format("{} bytes", e.size));
    field("Submitter", fmt::format("{} (uid {})", e.submitter_name, e.submitter_uid));
    field("Sender", e.sender.empty() ? "<> (MAILER-DAEMON)" : e.sender);
    field("Attempts", std::to_string(e.attempts));
    if (m.place == Place::queue && !m.active)
        field("Next attempt",
              e.next_attempt == 0 ? "as soon as possible" : local_time(e.next_attempt));
    if (!e.last_error.empty()) field("Last error", e.last_error);
    for (const auto& r : e.recipients) {
        std::string line = fmt::format("{} {}", to_string(r.state), r.address);
        if (!r.original.empty() && r.original != r.address)
            line += fmt::format(" (submitted as {})", r.original);
        if (!r.last_reply.empty()) line += fmt::format(": {}", r.last_reply);
        field("Recipient", line);
    }
    return out;
}

Status write_content_view(int fd, bool with_body, std::FILE* out) {
    // Whole lines at a time, so that a UTF-8 sequence is never split between two escapes
    // (a line longer than kHold goes out in pieces).
    constexpr size_t kHold = 65536;
    char buf[65536];
    std::string pending;  // text not yet written: the end of a line, maybe a CR whose LF follows
    bool in_body = false;
    bool at_line_start = true;
    auto emit = [&](std::string_view text) {
        std::string safe = terminal_safe(text, true);
        std::fwrite(safe.data(), 1, safe.size(), out);
    };
    for (bool eof = false; !eof;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return Error{EX_IOERR, fmt::format("cannot read the message: {}", errno_text(errno))};
        eof = n == 0;
        pending.append(buf, static_cast<size_t>(n));
        size_t last = pending.rfind('\n');
        size_t upto = eof                         ? pending.size()
                      : last != std::string::npos ? last + 1
                      : pending.size() > kHold    ? pending.size() - 1
                                                  : 0;
        std::string text;
        size_t i = 0;
        for (; i < upto; ++i) {
            char c = pending[i];
            if (c == '\r' && i + 1 < pending.size() && pending[i + 1] == '\n') continue;  // CRLF
            if (!in_body && c == '\n' && at_line_start) {
                in_body = true;  // the empty line ending the header
                if (!with_body) {
                    emit(text);
                    return ok_status();
                }
            }
            at_line_start = c == '\n';
            text += c;
        }
        pending.erase(0, i);
        emit(text);
    }
    return ok_status();
}

}  // namespace nullrelay
