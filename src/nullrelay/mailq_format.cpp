#include "nullrelay/mailq_format.hpp"

#include <ctime>

#include <fmt/format.h>

#include "util/terminal_text.hpp"

namespace nullrelay {

std::string format_mailq(const std::vector<ListedMessage>& messages,
                         const std::optional<DeliveryPause>& pause) {
    std::string out;
    if (pause)
        out = fmt::format("-- Deliveries {} (nullrelay resume) --\n",
                          terminal_safe(describe_pause(*pause)));
    if (messages.empty()) return out + "Mail queue is empty\n";
    out += fmt::format("{:<17} {:>8} {:<19} {}\n", "----Queue ID-----", "--Size--",
                       "---Arrival Time----", "--Sender/Recipient------");
    std::uint64_t total = 0;
    bool first = true;
    for (const auto& m : messages) {
        const Envelope& e = m.envelope;
        if (!first) out += '\n';
        first = false;
        std::string id = e.id;
        if (m.active)
            id += '*';
        else if (m.place == Place::hold)
            id += '!';
        std::time_t arrival = static_cast<std::time_t>(e.arrival);
        std::tm tm{};
        ::localtime_r(&arrival, &tm);
        char when[32];
        std::strftime(when, sizeof when, "%a %b %e %H:%M:%S", &tm);
        out += fmt::format("{:<17} {:>8} {:19.19} {}\n", id, e.size, when,
                           e.sender.empty() ? "MAILER-DAEMON" : terminal_safe(e.sender));
        std::string reason;
        for (const auto& r : e.recipients) {
            if (r.state == RecipientState::sent) continue;
            std::string why = r.state == RecipientState::bounced ? r.last_reply
                              : !r.last_reply.empty()            ? r.last_reply
                                                                 : e.last_error;
            if (why != reason) {
                reason = why;
                std::string shown = why.empty() ? "reason unavailable" : terminal_safe(why);
                int pad = std::max(0, 76 - static_cast<int>(shown.size()));
                out += fmt::format("{:{}}({})\n", "", pad, shown);
            }
            out += fmt::format("{:<17} {:>8} {:<19} {}\n", "", "", "", terminal_safe(r.address));
        }
        total += e.size;
    }
    out += fmt::format("\n-- {} Kbytes in {} Request{}.\n", total / 1024, messages.size(),
                       messages.size() == 1 ? "" : "s");
    return out;
}

}  // namespace nullrelay
