// sendmail -bs: an SMTP conversation on stdin/stdout (RFC 5321 server side, the subset local
// clients use: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, VRFY, HELP, QUIT). Symfony Mailer
// talks to sendmail this way by default.
//
// Each accepted message goes to a MessageSink; in nullrelay-sendmail that sink runs a fresh
// `nullrelay-sendmail -i` per message, because this process has already dropped the group
// it would need to create more spool files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nullrelay {

class MessageSink {
  public:
    virtual ~MessageSink() = default;
    // Starts a message; returns "" or an SMTP error reply that refuses it.
    virtual std::string begin(const std::string& sender,
                              const std::vector<std::string>& recipients) = 0;
    // Message bytes, dot-unstuffed, CRLF line ends.
    virtual void write(std::string_view data) = 0;
    // Ends the message; returns the SMTP reply for it ("250 2.0.0 Ok: queued as ID").
    virtual std::string finish() = 0;
    // Gives the message up (too large, client vanished).
    virtual void abandon() = 0;
};

struct DialogueSettings {
    std::string hostname;
    std::uint64_t max_message_size = 0;
};

// Runs the conversation until QUIT or end of input. Returns 0 (EX_OK), or EX_IOERR when the
// client vanished in the middle of a message.
int run_smtp_dialogue(int in_fd, int out_fd, const DialogueSettings& settings, MessageSink& sink);

}  // namespace nullrelay
