// Bounces: the RFC 3464 delivery status notification that tells a sender which recipients
// failed and why, and its queueing as a new message from the null sender <> to the original
// sender (after rewriting, so root's bounces reach the admin).
//
// Loop prevention: a message from <> never gets a bounce (the caller checks; a failed bounce
// goes to failed/ instead, docs/queue.md). The report carries Auto-Submitted: auto-replied.
//
// What of the message goes back: its header section, unless the sender asked for the whole
// message (sendmail -R full, RFC 3461 RET=FULL) and it is at most bounce_size_limit bytes;
// then all of it, as message/rfc822. Over the limit, the headers and a note saying why.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "maps/address_rewriter.hpp"
#include "queue/envelope.hpp"
#include "queue/spool.hpp"
#include "util/result.hpp"

namespace nullrelay {

struct FailedRecipient {
    std::string address;     // as sent in RCPT TO: Final-Recipient
    std::string original;    // as submitted: Original-Recipient (omitted when empty)
    std::string status;      // enhanced status code, e.g. 5.1.1
    std::string diagnostic;  // the smarthost's reply ("550 5.1.1 ...") or our own reason
};

struct BounceReport {
    std::string hostname;  // Reporting-MTA, From: MAILER-DAEMON@hostname, Message-ID
    std::string queue_id;  // of the bounced message
    std::string sender;    // of the bounced message: To:
    std::int64_t arrival = 0;
    std::int64_t last_attempt = 0;
    std::vector<FailedRecipient> recipients;
    std::string original_headers;  // the bounced message's header section, CRLF
    // The whole bounced message (CRLF), when it goes back in full; then original_headers is
    // not used. Empty: the headers go back.
    std::string original_message;
    // RET=FULL was asked but the message was bigger than this (bounce_size_limit): the
    // headers go back, with a note. 0: no such note.
    std::uint64_t full_return_limit = 0;
};

// The whole report message (CRLF line endings): header, then multipart/report with a
// human-readable part, message/delivery-status and text/rfc822-headers (message/rfc822 with
// the whole message when report.original_message is set). `unique` makes the
// Message-ID and the MIME boundary (e.g. a new queue id); `now` is its Date.
std::string format_bounce(const BounceReport& report, std::int64_t now, std::string_view unique);

// The header section of a queued message's content (from `offset` in its data file, the
// envelope's content_offset): up to the blank line (left out), cut at a line end after
// `limit` bytes.
std::string read_header_section(int content_fd, std::uint64_t offset, size_t limit);
// The whole content of a queued message (from `offset`), or nullopt when it is longer than
// `limit` bytes (or cannot be read).
std::optional<std::string> read_whole_message(int content_fd, std::uint64_t offset,
                                              std::uint64_t limit);

// Builds the report for `failed` recipients of `original` and queues it durably (the report's
// envelope: sender <>, recipients: the original sender as submitted, rewritten by `rewriter`
// with the maps, so that a bounce for "root" reaches the admin). The whole message goes back
// when original.dsn.ret is "full" and it fits config.bounce_size_limit. Returns the new
// message's id.
// `original` must not be from <>.
Result<std::string> queue_bounce(Spool& spool, const Config& config,
                                 const AddressRewriter& rewriter, const Envelope& original,
                                 const std::vector<FailedRecipient>& failed, std::int64_t now);

// A plain-text notice from MAILER-DAEMON (sender <>, like a bounce, so never bounced itself) to
// `to` as a local program would name it ("postmaster", "alice"), rewritten by `rewriter`.
// `text` is the body (LF line ends, 7-bit). Returns the new message's id.
Result<std::string> queue_notice(Spool& spool, const Config& config,
                                 const AddressRewriter& rewriter, const std::string& to,
                                 std::string_view subject, std::string_view text, std::int64_t now);

// A submission that pickup refused (docs/queue.md: sendmail said "queued", so it must not
// end silently in corrupt/).
struct RefusedSubmission {
    std::string name;       // in maildrop/, now in corrupt/
    std::string submitter;  // the file owner's login name, or "uid<N>"
    std::uint32_t uid = 0;
    std::string reason;
};

// Queues a notice from MAILER-DAEMON (sender <>, like a bounce) to the submitter, rewritten by
// `rewriter` (root's reaches the admin), saying that the submission was not sent and why.
// Nothing of the refused file goes back in it: it may not be the submitter's to read.
Result<std::string> queue_refusal_notice(Spool& spool, const Config& config,
                                         const AddressRewriter& rewriter,
                                         const RefusedSubmission& refused, std::int64_t now);

}  // namespace nullrelay
