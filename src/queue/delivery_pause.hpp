// Deliveries paused by the admin (`nullrelay pause`), as Postfix's defer_transports: mail is
// still accepted, picked up and queued, and waits until `nullrelay resume`. The pause is a
// file in the spool (`paused`), so it outlives a restart of the daemon or of the machine.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace nullrelay {

inline constexpr size_t kMaxPauseReason = 200;

struct DeliveryPause {
    std::int64_t since = 0;  // seconds since the epoch
    std::string reason;      // the admin's words, one line; may be empty
    bool operator==(const DeliveryPause&) const = default;
};

// The file's form: `since <seconds>` and `reason <text>` lines.
std::string encode_pause(const DeliveryPause& pause);
Result<DeliveryPause> decode_pause(std::string_view text);

// Refuses a reason that would not fit on one line of the file or of the control protocol.
Status check_pause_reason(std::string_view reason);

// "paused since 2026-12-06 20:15 UTC: smarthost maintenance"
std::string describe_pause(const DeliveryPause& pause);

}  // namespace nullrelay
