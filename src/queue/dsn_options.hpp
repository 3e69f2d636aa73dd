// The DSN options (RFC 3461, RFC 6152): what the submitter asked for beyond the addresses,
// sendmail's -N (notify), -R (return), -V (envelope id) and -B (body type). Recorded from sendmail
// through the maildrop file into the envelope. libcurl 7.88 cannot put them on the wire (no
// NOTIFY=, RET=, ENVID=, BODY= parameters), so they are kept for what nullrelay itself does: its
// bounce reports.
#pragma once

#include <string>
#include <string_view>

namespace nullrelay {

struct DsnOptions {
    std::string notify;     // "" (default), "never", or a list of success, failure, delay
    std::string ret;        // "", "full" or "hdrs"
    std::string envid;      // "" or printable ASCII without spaces, at most 100 bytes
    std::string body_type;  // "", "7BIT" or "8BITMIME"
    bool operator==(const DsnOptions&) const = default;
    bool empty() const {
        return notify.empty() && ret.empty() && envid.empty() && body_type.empty();
    }
};

// Each returns the canonical value, or "" with *problem set when the value is not valid.
std::string canonical_notify(std::string_view value, std::string* problem);
std::string canonical_ret(std::string_view value, std::string* problem);
std::string canonical_envid(std::string_view value, std::string* problem);
std::string canonical_body_type(std::string_view value, std::string* problem);

}  // namespace nullrelay
