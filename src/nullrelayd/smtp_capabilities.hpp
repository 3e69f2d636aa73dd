// What a smarthost offers in its EHLO reply (SIZE, 8BITMIME, SMTPUTF8, AUTH...), read from
// the libcurl transcript, since libcurl keeps it to itself. SmtpSession records it for each
// connection; nullrelayd -v logs it and nullrelay check --connect shows it. Whatever it says,
// mail goes 7-bit: libcurl 7.88 cannot declare BODY=8BITMIME (docs/queue.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nullrelayd/transport.hpp"

namespace nullrelay {

struct SmtpCapabilities {
    bool known = false;                 // an EHLO reply was seen
    std::optional<std::uint64_t> size;  // SIZE was offered, with its limit (0: none given)
    bool eight_bit_mime = false;
    bool smtputf8 = false;
    std::vector<std::string> lines;  // every extension as offered ("AUTH PLAIN LOGIN")

    // "SIZE 35882577, 8BITMIME yes, SMTPUTF8 no (EHLO: SIZE 35882577, 8BITMIME, ...)".
    std::string summary() const;
};

// The capabilities in the last EHLO reply among these exchanges (after STARTTLS the second
// EHLO is the one that counts); known is false when there is none.
SmtpCapabilities capabilities_from(const std::vector<SmtpExchange>& exchanges);

}  // namespace nullrelay
