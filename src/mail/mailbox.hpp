// A mailbox as a header field shows it: "Name <addr>", the display name quoted or RFC 2047
// encoded as needed, and the RFC 5322 date-time of Date: and bounce reports.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace nullrelay {

// "Name <addr>" with the name quoted or RFC 2047-encoded as needed; the bare address when the
// name is empty.
std::string format_mailbox(std::string_view display_name, std::string_view address);

// RFC 5322 date-time in the local time zone: "Sun, 06 Dec 2026 16:25:56 +0000".
std::string format_rfc5322_date(std::time_t when);

}  // namespace nullrelay
