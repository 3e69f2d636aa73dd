// Why an attempt did not deliver a recipient, in the classes that `nullrelay stats` and the
// metrics count (issue 22): the smarthost's 4xx or 5xx reply, or, when it said nothing about
// the message, AUTH, TLS or the connection itself (refused, timed out, broken, a 4xx greeting).
#pragma once

#include "control/queue_stats.hpp"
#include "nullrelayd/delivery_outcome.hpp"
#include "nullrelayd/transport.hpp"

namespace nullrelay {

// What went wrong with the connection of an attempt, should it have said nothing about the
// message: auth (AUTH refused, or none possible), tls (STARTTLS refused, a handshake or
// certificate failure), else connection.
FailureClass transport_failure(const SmtpAttempt& attempt);

// One recipient's verdict: a reply of the smarthost (its own RCPT reply, or one that spoke
// for the message) is 4xx or 5xx by its class; one made without a reply takes
// `without_reply` (transport_failure of the attempt). A 5.x.x status from pickup (an
// unsendable header) is 5xx.
FailureClass failure_class(const RecipientVerdict& verdict, FailureClass without_reply);

}  // namespace nullrelay
