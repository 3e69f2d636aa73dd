// The 7-bit downgrade of a whole message, as a stream: after it no octet is over 127 and no
// line is longer than 998 octets, as RFC 5321 requires of mail sent without BODY=8BITMIME
// (libcurl 7.88 cannot declare it). docs/queue.md says where it runs and why.
//
// It walks the MIME structure (multiparts by their boundaries, message/rfc822 inside) and
// changes only what must change: a leaf part with 8-bit octets or long lines is re-encoded as
// quoted-printable (text) or base64 (anything else, or text that QP would blow up), a body
// already labelled quoted-printable or base64 is repaired in place, header fields are encoded
// as header_downgrade.hpp says, and MIME-Version, Content-Type (with a charset: the declared
// one, else utf-8 when the bytes are valid UTF-8, else unknown-8bit) and
// Content-Transfer-Encoding are added where a change needs them. In a converted message, a
// part labelled 8bit or binary whose content is kept is labelled 7bit. What a part decodes
// to never changes; a message that needs nothing passes byte for byte.
//
// A part's new Content-Transfer-Encoding goes in its header, before its body is seen, so it
// takes two passes over the same input: the first looks and passes everything through
// unchanged (its output is the input), and records one small plan entry per part; if the
// plan changes anything, start_conversion() and feed the same bytes again to get the
// converted message. Memory is bounded by the limits below, whatever the input.
//
// Where a header field cannot be encoded (an address with 8-bit octets, an unfoldable line)
// inside an attached message, that attachment goes as it came, as message/global in base64
// (RFC 6532); in the message's own header, nothing can be done: unsendable() says why, for a
// bounce.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace nullrelay {

struct MimeLimits {
    // Parts of the message (every entity below the message itself) and the depth of
    // multiparts and attached messages within one another. Past them the message is refused
    // (error()); Postfix's mime_nesting_limit is 100 too.
    std::size_t max_parts = 100'000;
    std::size_t max_depth = 100;
};

// The longest boundary parameter taken: "--" boundary "--" must fit in a 998-octet line.
inline constexpr std::size_t kMaxBoundaryLength = 994;
// A header section (the message's or a part's) is read into memory up to this size; what
// follows is taken as the start of the body, as pickup does with the message's header.
inline constexpr std::size_t kMaxMimeHeaderSection = 2 * 1024 * 1024;

struct Unsendable {
    std::string status;  // RFC 3463 code for the bounce: 5.6.9 or 5.6.3
    std::string reason;  // one line
};

class MimeDowngrade {
  public:
    explicit MimeDowngrade(MimeLimits limits = {});
    ~MimeDowngrade();
    MimeDowngrade(MimeDowngrade&&) noexcept;
    MimeDowngrade& operator=(MimeDowngrade&&) noexcept;

    // Appends to `out`: in the first pass the input unchanged, in the second its conversion.
    void feed(std::string_view in, std::string& out);
    void finish(std::string& out);
    // The first pass for the limits alone: the structure is walked, nothing is copied and
    // what would need converting is not looked at (nullrelay-sendmail checks the limits with
    // it); error() is then all there is to ask.
    void scan(std::string_view in);
    void finish_scan();

    // After the first pass:
    // A limit was exceeded (EX_DATAERR, a message for the submitter); nothing else is known.
    const std::optional<Error>& error() const;
    // The message needs converting: run the second pass.
    bool needs_conversion() const;
    // The message's own header holds something that cannot go on the wire without SMTPUTF8.
    const std::optional<Unsendable>& unsendable() const;
    // Parts seen (below the message itself).
    std::size_t parts() const;

    // Starts the second pass; feed the same input again.
    void start_conversion();

  private:
    class Walker;
    std::unique_ptr<Walker> walker_;
};

// Both passes over a message held in memory (a bounce): the converted message, or the input
// when it needs nothing (or exceeds the limits).
std::string downgrade_to_7bit(std::string_view message);

}  // namespace nullrelay
