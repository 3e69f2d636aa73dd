// The seam between delivery and the wire: a Transport sends one message to one smarthost and
// reports what happened, command by command. Delivery decides from that report alone
// (delivery_outcome.hpp), so its decisions are unit-tested through the real Deliverer with a
// scripted Transport; SmtpSession (smtp_session.hpp) is the one that speaks SMTP, over libcurl.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace nullrelay {

struct OutgoingMessage {
    std::string sender;  // "" is <>
    std::vector<std::string> recipients;
    int content_fd = -1;  // read with pread from content_offset to its end: CRLF, as it goes
                          // on the wire
    std::uint64_t content_offset = 0;
    std::uint64_t size = 0;
};

// One command and the reply it got.
struct SmtpExchange {
    std::string command;  // "" for the greeting and for the reply after the message data
    int code = 0;
    std::string reply;  // all reply lines, joined by "\n"
};

struct SmtpAttempt {
    // The transaction ran to its end and the connection behaved (libcurl's CURLE_OK). The
    // replies in `exchanges` say what the smarthost decided either way.
    bool completed = false;
    std::string error;                  // when not completed: why, for the log and mailq
    std::string relay;                  // host[ip]:port, for the log
    bool refused_without_auth = false;  // we stopped before MAIL: AUTH did not happen
    std::vector<SmtpExchange> exchanges;
    std::string transcript;  // redacted, for debugging
    // What the smarthost offered in EHLO, when this attempt opened the connection
    // (SmtpCapabilities::summary); "" on a reused connection.
    std::string capabilities;
};

class Transport {
  public:
    virtual ~Transport() = default;
    // One SMTP transaction for the message. Never throws; every failure is in the attempt.
    virtual SmtpAttempt send(const OutgoingMessage& message) = 0;
};

// Makes the Transport for one smarthost; the Deliverer keeps it (and its connection) for
// the next messages.
using TransportFactory = std::function<std::unique_ptr<Transport>(const Smarthost&)>;

}  // namespace nullrelay
