// The one place where an SMTP attempt becomes a verdict per recipient (STYLE.md error tier 2):
// 2xx delivered, 4xx and every transport, TLS or AUTH failure deferred, 5xx bounced. A reply to
// MAIL, to DATA or after the data applies to every recipient still in play; a reply to RCPT
// to its recipient alone. Two rules guard against loss and duplicates: a recipient is sent
// only when its own RCPT got a 2xx and the data got a 2xx; a 2xx to the data is final, even
// when the connection fails after it.
#pragma once

#include <string>
#include <vector>

#include "nullrelayd/transport.hpp"

namespace nullrelay {

enum class Verdict { sent, deferred, bounced };

struct RecipientVerdict {
    Verdict verdict = Verdict::deferred;
    std::string dsn;    // enhanced status code, e.g. 5.1.1
    std::string reply;  // what to log and keep: the server's reply or our reason, one line
};

struct AttemptVerdict {
    std::vector<RecipientVerdict> recipients;
    // Nothing was said about the message itself (no connection, TLS, greeting or AUTH
    // failure): the next smarthost may do better.
    bool try_next_host = false;
    std::string summary;  // one line: why the attempt did not deliver everything
};

AttemptVerdict decide_outcome(const SmtpAttempt& attempt, size_t recipient_count);

// "5.1.1" from "550 5.1.1 <x>: Recipient address rejected", else the class default.
std::string enhanced_status(int code, std::string_view reply);

}  // namespace nullrelay
