#include "queue/delivery_pause.hpp"

#include <charconv>
#include <ctime>

#include <fmt/format.h>

#include "util/text.hpp"

namespace nullrelay {

std::string encode_pause(const DeliveryPause& pause) {
    return fmt::format("since {}\nreason {}\n", pause.since, pause.reason);
}

Result<DeliveryPause> decode_pause(std::string_view text) {
    DeliveryPause pause;
    bool have_since = false;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        if (nl == std::string_view::npos) return Error{EX_DATAERR, "the pause file is cut short"};
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl + 1);
        size_t space = line.find(' ');
        std::string_view key = line.substr(0, space);
        std::string_view value = space == std::string_view::npos ? "" : line.substr(space + 1);
        if (key == "since") {
            auto [end, ec] =
                std::from_chars(value.data(), value.data() + value.size(), pause.since);
            if (ec != std::errc() || end != value.data() + value.size() || pause.since < 0)
                return Error{EX_DATAERR,
                             fmt::format("the pause file has a bad time '{}'", one_line(value))};
            have_since = true;
        } else if (key == "reason") {
            if (Status st = check_pause_reason(value); !st) return st.error();
            pause.reason = std::string(value);
        }  // other keys: from a later version, ignored
    }
    if (!have_since) return Error{EX_DATAERR, "the pause file has no 'since' line"};
    return pause;
}

Status check_pause_reason(std::string_view reason) {
    if (reason.size() > kMaxPauseReason)
        return Error{EX_USAGE,
                     fmt::format("the reason is longer than {} characters", kMaxPauseReason)};
    for (unsigned char c : reason)
        if (c < 0x20 || c == 0x7f)
            return Error{EX_USAGE, "the reason must be one line of printable text"};
    return ok_status();
}

std::string describe_pause(const DeliveryPause& pause) {
    std::time_t t = static_cast<std::time_t>(pause.since);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
    std::string text = fmt::format("paused since {}", when);
    if (!pause.reason.empty()) text += ": " + pause.reason;
    return text;
}

}  // namespace nullrelay
