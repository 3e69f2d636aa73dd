// The envelope and delivery state of one queued message, and its on-disk form (queue/<id>,
// hold/<id>, failed/<id>). docs/queue.md describes the format; only envelope.cpp reads or
// writes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "queue/dsn_options.hpp"
#include "util/result.hpp"

namespace nullrelay {

enum class RecipientState { pending, sent, bounced };

struct Recipient {
    std::string address;   // after rewriting: what goes into RCPT TO
    std::string original;  // as submitted (orig_to= in the log, the bounce report)
    RecipientState state = RecipientState::pending;
    std::string last_reply;  // the smarthost's last reply for it, one line
    bool operator==(const Recipient&) const = default;
};

struct Envelope {
    std::string id;
    std::int64_t arrival = 0;  // seconds since the epoch
    std::uint32_t submitter_uid = 0;
    std::string submitter_name;
    std::string sender;           // "" is the null sender <>
    std::string sender_original;  // as submitted when rewriting changed it ("root"); bounces
    std::uint64_t size = 0;
    int attempts = 0;
    std::int64_t next_attempt = 0;  // seconds since the epoch; 0 = now
    std::string last_error;         // why the last attempt did not finish, one line
    // Set at pickup when the message's own header cannot go on the wire without SMTPUTF8
    // (mime_downgrade.hpp): "<status> <reason>", one line. It is bounced, never sent.
    std::string unsendable;
    DsnOptions dsn;  // as the submitter asked (-N, -R, -V, -B)
    // Where the content starts in data/<id>: 0, or, for a message pickup queued as one file,
    // the length of the envelope written before it (docs/queue.md, "One file per message").
    std::uint64_t content_offset = 0;
    std::vector<Recipient> recipients;
    bool operator==(const Envelope&) const = default;

    bool has_pending() const;
};

inline constexpr std::string_view kEnvelopeSignature = "nullrelay-queue 1";

// Refuses fields that would break the line format (CR, LF, NUL, TAB in recipient fields).
Result<std::string> serialize_envelope(const Envelope& envelope);
// The same, with `content_offset` set to the length of the text itself, so that the content
// can follow it in one file (Spool::stage_message).
Result<std::string> serialize_envelope_before_content(Envelope& envelope);
// Strict: a missing, repeated or unknown record, or a bad number, is an error naming the line.
Result<Envelope> parse_envelope(std::string_view text);
// The length of the envelope at the start of `text`: up to and with its `end` line, which is
// the first line that says only "end" (no record holds a line break). nullopt without one.
// `searched`: a prefix already known to hold no such line (for text read a piece at a time).
std::optional<size_t> envelope_length(std::string_view text, size_t searched = 0);

std::string_view to_string(RecipientState state);

}  // namespace nullrelay
