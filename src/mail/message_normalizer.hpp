// Turns a message as local programs write it into the form it takes on the wire: every line
// ends in CRLF. libcurl dot-stuffs only after CRLF and never converts a bare LF, so any other
// form would reach the smarthost unstuffed (research/libcurl-smtp.md §5).
//
// Line breaks: LF, CRLF, and a run of CRs (with or without a following LF) each count as one
// line break, so CR CR LF from PHP's mixed line endings can never reach the wire. A non-empty
// message always ends with CRLF. It works on a stream, holding back at most a few bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nullrelay {

class MessageNormalizer {
  public:
    struct Options {
        // sendmail without -i/-oi: a line holding a lone '.' ends the message (Postfix and
        // sendmail do the same); what follows is not read.
        bool dot_line_ends_message = false;
        // Drop a leading mbox "From " line, as Postfix's sendmail does.
        bool drop_mbox_from_line = false;
    };

    explicit MessageNormalizer(Options options) : options_(options) {}

    // Appends the normalised form of `in` to `out`.
    void feed(std::string_view in, std::string& out);
    // Flushes held-back bytes at the end of input.
    void finish(std::string& out);
    // True once a terminating '.' line was seen: the caller stops reading input.
    bool ended() const { return ended_; }
    std::uint64_t longest_line() const { return longest_line_; }

  private:
    void end_line(std::string& out);
    void flush_head(std::string& out);

    Options options_;
    std::string head_;     // start of the current line, held back while it may be "." or "From "
    bool in_head_ = true;  // still deciding about the current line
    bool pending_cr_ = false;
    bool first_line_ = true;
    bool dropping_line_ = false;
    bool ended_ = false;
    bool line_open_ = false;  // bytes of the current line were written
    std::uint64_t line_length_ = 0;
    std::uint64_t longest_line_ = 0;
};

}  // namespace nullrelay
