// What nullrelay-sendmail leaves in maildrop/ for the daemon: a short envelope header, then
// the message (already CRLF). Written by an unprivileged user, so the daemon parses it as
// hostile input: strict, bounded, never trusted for who submitted it (the file owner says).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "queue/dsn_options.hpp"
#include "util/result.hpp"

namespace nullrelay {

inline constexpr std::string_view kMaildropSignature = "nullrelay-maildrop 1";
inline constexpr size_t kMaildropHeaderLimit = 1024 * 1024;
inline constexpr size_t kMaxRecipients = 10000;

struct MaildropEnvelope {
    std::optional<std::string> sender;  // -f/-r; nullopt: the submitter; "" is <>
    std::string full_name;              // -F
    std::vector<std::string> recipients;
    DsnOptions dsn;           // -N, -R, -V, -B
    bool queue_only = false;  // -odq: no delivery attempt before the next flush or retry
    bool operator==(const MaildropEnvelope&) const = default;
};

// The header up to and including the "content" line that precedes the message bytes. Refuses
// (EX_DATAERR) whatever parse_maildrop_header would refuse, limits included.
Result<std::string> format_maildrop_header(const MaildropEnvelope& envelope);

// Parses the header at the start of `data`; sets *content_offset to the first message byte.
// Needs the whole header in `data` (it is at most kMaildropHeaderLimit bytes).
Result<MaildropEnvelope> parse_maildrop_header(std::string_view data, size_t* content_offset);

}  // namespace nullrelay
