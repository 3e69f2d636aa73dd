#include "nullrelayd/bounce.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "mail/mailbox.hpp"
#include "mail/mime_downgrade.hpp"
#include "maps/address_rewriter.hpp"
#include "queue/queue_id.hpp"

namespace nullrelay {

namespace {

constexpr size_t kReturnedHeaderLimit = 256 * 1024;
// Fields of the report are header lines: keep them well under the 998-byte line limit.
constexpr size_t kDiagnosticLimit = 900;

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x80; });
}

// Server replies and our own reasons are one line already (Recipient::last_reply); this also
// keeps 8-bit bytes out of the 7-bit parts of the report.
std::string printable(std::string_view s) {
    std::string out;
    for (unsigned char c : s.substr(0, kDiagnosticLimit))
        out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
    return out;
}

// RFC 3464 address-type: rfc822, or utf-8 (RFC 6533) for an internationalised address.
std::string typed_address(std::string_view address) {
    return fmt::format("{}; {}", is_ascii(address) ? "rfc822" : "utf-8", address);
}

// "smtp; 550 5.1.1 ..." for a reply from the smarthost, our own words otherwise.
std::string diagnostic_code(std::string_view diagnostic) {
    bool smtp = diagnostic.size() >= 3 && std::all_of(diagnostic.begin(), diagnostic.begin() + 3,
                                                      [](char c) { return c >= '0' && c <= '9'; });
    return fmt::format("{}; {}", smtp ? "smtp" : "X-nullrelay", printable(diagnostic));
}

std::string crlf(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

}  // namespace

std::string format_bounce(const BounceReport& r, std::int64_t now, std::string_view unique) {
    const std::string daemon = "MAILER-DAEMON@" + r.hostname;
    const bool full = !r.original_message.empty();

    std::string text = fmt::format(
        "This is the mail relay at {}.\n\n"
        "Your message could not be delivered to one or more recipients.\n"
        "The reasons are below; {} this report.\n\n",
        r.hostname, full ? "your message follows" : "the headers of your message follow");
    if (!full && r.full_return_limit)
        text += fmt::format(
            "You asked for the whole message back, but it is larger than the {} bytes\n"
            "this relay returns (bounce_size_limit): only its headers follow.\n\n",
            r.full_return_limit);
    for (const auto& f : r.recipients) {
        std::string orig = !f.original.empty() && f.original != f.address
                               ? fmt::format(" (originally <{}>)", printable(f.original))
                               : "";
        // 4.4.7: still failing temporarily when the queue lifetime ran out.
        text +=
            fmt::format("<{}>{}:\n    {}{}\n\n", printable(f.address), orig,
                        f.status == "4.4.7" ? "gave up after the queue lifetime; last error: " : "",
                        printable(f.diagnostic));
    }

    std::string status =
        fmt::format("Reporting-MTA: dns; {}\nX-nullrelay-Queue-ID: {}\n", r.hostname, r.queue_id);
    status += fmt::format("Arrival-Date: {}\n", format_rfc5322_date(r.arrival));
    for (const auto& f : r.recipients) {
        status += '\n';
        if (!f.original.empty())
            status += fmt::format("Original-Recipient: {}\n", typed_address(f.original));
        status += fmt::format(
            "Final-Recipient: {}\nAction: failed\nStatus: {}\nDiagnostic-Code: {}\n"
            "Last-Attempt-Date: {}\n",
            typed_address(f.address), f.status, diagnostic_code(f.diagnostic),
            format_rfc5322_date(r.last_attempt));
    }

    // The third part: the headers, or the whole message. Either is the sender's bytes as queued.
    std::string returned = full ? r.original_message : r.original_headers;
    if (!returned.empty() && !returned.ends_with("\r\n")) returned += "\r\n";
    const bool eight_bit = !is_ascii(returned) || !is_ascii(r.sender) ||
                           std::any_of(r.recipients.begin(), r.recipients.end(), [](const auto& f) {
                               return !is_ascii(f.address) || !is_ascii(f.original);
                           });

    // The boundary must not occur in any part (RFC 2046 §5.1.1): the returned text is the
    // sender's, so check rather than trust the random part.
    std::string boundary = fmt::format("{}/{}", unique, r.hostname);
    while (returned.find(boundary) != std::string::npos ||
           status.find(boundary) != std::string::npos)
        boundary += ".x";

    std::string out = crlf(
        fmt::format("Date: {}\nFrom: {}\nTo: {}\nSubject: Undelivered Mail Returned to Sender\n"
                    "Message-ID: <{}.bounce@{}>\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n"
                    "Content-Type: multipart/report; report-type=delivery-status;\n"
                    "\tboundary=\"{}\"\n{}\n"
                    "This is a MIME-encapsulated message.\n\n",
                    format_rfc5322_date(now), daemon, r.sender, unique, r.hostname, boundary,
                    eight_bit ? "Content-Transfer-Encoding: 8bit\n" : ""));
    out += crlf(fmt::format(
        "--{}\nContent-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n",
        boundary));
    out += crlf(text);
    out += crlf(fmt::format(
        "--{}\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n{}\n",
        boundary, eight_bit ? "Content-Transfer-Encoding: 8bit\n" : ""));
    out += crlf(status);
    out += crlf(fmt::format("\n--{}\nContent-Description: {}\nContent-Type: {}\n{}\n", boundary,
                            full ? "Undelivered Message" : "Undelivered Message Headers",
                            full ? "message/rfc822" : "text/rfc822-headers",
                            eight_bit ? "Content-Transfer-Encoding: 8bit\n" : ""));
    out += returned;  // already CRLF, byte for byte as queued
    out += crlf(fmt::format("\n--{}--\n", boundary));
    return out;
}

std::string read_header_section(int fd, std::uint64_t offset, size_t limit) {
    std::string buf;
    size_t end = std::string::npos;
    while (buf.size() < limit) {
        size_t old = buf.size();
        buf.resize(std::min(limit, old + 16384));
        ssize_t n =
            ::pread(fd, buf.data() + old, buf.size() - old, static_cast<off_t>(offset + old));
        if (n < 0 && errno == EINTR) {
            buf.resize(old);
            continue;
        }
        buf.resize(old + static_cast<size_t>(std::max<ssize_t>(n, 0)));
        if (buf.starts_with("\r\n")) return "";  // no header section at all
        if ((end = buf.find("\r\n\r\n")) != std::string::npos) return buf.substr(0, end + 2);
        if (n <= 0) break;
    }
    // No blank line within the limit (or the message is all header): whole lines only.
    size_t last = buf.rfind("\r\n");
    return last == std::string::npos ? std::string() : buf.substr(0, last + 2);
}

std::optional<std::string> read_whole_message(int fd, std::uint64_t offset, std::uint64_t limit) {
    std::string buf;
    char chunk[65536];
    for (;;) {
        ssize_t n = ::pread(fd, chunk, sizeof chunk, static_cast<off_t>(offset + buf.size()));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::nullopt;
        if (n == 0) return buf;
        if (buf.size() + static_cast<size_t>(n) > limit) return std::nullopt;
        buf.append(chunk, static_cast<size_t>(n));
    }
}

Result<std::string> queue_bounce(Spool& spool, const Config& config,
                                 const AddressRewriter& rewriter, const Envelope& original,
                                 const std::vector<FailedRecipient>& failed, std::int64_t now) {
    BounceReport report;
    report.hostname = config.hostname;
    report.queue_id = original.id;
    report.sender = original.sender;
    report.arrival = original.arrival;
    report.last_attempt = now;
    report.recipients = failed;
    auto content = spool.open_content(original);
    if (!content) return content.error();
    report.original_headers =
        read_header_section(content->fd.get(), content->offset, kReturnedHeaderLimit);
    if (original.dsn.ret == "full") {
        // Bounded by bounce_size_limit: a bounce is not the place to mail back a huge message.
        if (auto whole =
                read_whole_message(content->fd.get(), content->offset, config.bounce_size_limit))
            report.original_message = std::move(*whole);
        else
            report.full_return_limit = config.bounce_size_limit;
    }

    const std::string unique = new_queue_id(std::chrono::system_clock::now());
    Envelope bounce;
    bounce.arrival = now;
    bounce.submitter_uid = static_cast<std::uint32_t>(::getuid());
    bounce.submitter_name = "MAILER-DAEMON";
    bounce.sender = "";  // <>: a bounce is never bounced
    // The sender as submitted ("root"), so the maps send root's bounces to the admin.
    const std::string& submitted =
        original.sender_original.empty() ? original.sender : original.sender_original;
    for (auto& to : rewriter.recipient(submitted).addresses)
        bounce.recipients.push_back({std::move(to), original.sender, RecipientState::pending, ""});
    // The returned headers may hold 8-bit octets (a message bounced because of them): the
    // report goes on the wire 7-bit like any other message.
    return spool.enqueue(std::move(bounce), downgrade_to_7bit(format_bounce(report, now, unique)));
}

Result<std::string> queue_notice(Spool& spool, const Config& config,
                                 const AddressRewriter& rewriter, const std::string& to,
                                 std::string_view subject, std::string_view text,
                                 std::int64_t now) {
    const std::string unique = new_queue_id(std::chrono::system_clock::now());
    Envelope notice;
    notice.arrival = now;
    notice.submitter_uid = static_cast<std::uint32_t>(::getuid());
    notice.submitter_name = "MAILER-DAEMON";
    notice.sender = "";  // <>: never bounced itself
    for (auto& address : rewriter.recipient(to).addresses)
        notice.recipients.push_back({std::move(address), to, RecipientState::pending, ""});
    const std::string message = crlf(
        fmt::format("Date: {}\nFrom: MAILER-DAEMON@{} (Mail Delivery System)\nTo: {}\nSubject: {}\n"
                    "Message-ID: <{}.notice@{}>\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n"
                    "Content-Type: text/plain; charset=us-ascii\n\n"
                    "This is the mail system at host {}.\n\n{}",
                    format_rfc5322_date(now), config.hostname, to, printable(subject), unique,
                    config.hostname, config.hostname, text));
    return spool.enqueue(std::move(notice), message);
}

Result<std::string> queue_refusal_notice(Spool& spool, const Config& config,
                                         const AddressRewriter& rewriter,
                                         const RefusedSubmission& refused, std::int64_t now) {
    return queue_notice(
        spool, config, rewriter, refused.submitter,
        "Undelivered Mail: your message was refused before it was queued",
        fmt::format("A message submitted by {} (uid {}) was accepted by sendmail but could not be\n"
                    "queued, and it has not been sent to anyone:\n\n"
                    "    {}\n\n"
                    "The submission is kept as {}/corrupt/{} for the administrator.\n"
                    "Please send it again within the limits above, or ask the administrator.\n",
                    refused.submitter, refused.uid, printable(refused.reason), config.spool_dir,
                    refused.name),
        now);
}

}  // namespace nullrelay
