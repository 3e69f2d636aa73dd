#include "nullrelayd/message_cleanup.hpp"

#include <fmt/format.h>

#include "mail/mailbox.hpp"
#include "nullrelayd/header_rewriter.hpp"

namespace nullrelay {

void clean_up_headers(HeaderBlock& h, const CleanupContext& c) {
    for (const char* name : {"Bcc", "Resent-Bcc", "Return-Path", "Content-Length"})
        h.remove(name);
    if (c.rewriter) rewrite_address_headers(h, *c.rewriter, c.budget);
    if (c.submitter_uid)
        h.prepend("Received",
                  fmt::format("by {} (nullrelay, from userid {})\r\n\tid {}; {}", c.hostname,
                              *c.submitter_uid, c.queue_id, format_rfc5322_date(c.arrival)));
    // RFC 5322 §3.6.6: a resent message gets its own Resent-Date/-From/-Message-ID block.
    const bool resent = h.has_prefix("Resent-");
    const std::string prefix = resent ? "Resent-" : "";
    if (!h.has(prefix + "Date")) h.add(prefix + "Date", format_rfc5322_date(c.arrival));
    if (!h.has(prefix + "Message-ID")) {
        std::tm tm{};
        ::gmtime_r(&c.arrival, &tm);
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
        h.add(prefix + "Message-ID", fmt::format("<{}.{}@{}>", stamp, c.queue_id, c.hostname));
    }
    if (!h.has(prefix + "From")) {
        // The null sender has no mailbox of its own; name the local mailer daemon instead.
        std::string from = c.sender.empty() ? "MAILER-DAEMON@" + c.hostname : c.sender;
        h.add(prefix + "From", format_mailbox(c.full_name, from));
    }
}

}  // namespace nullrelay
