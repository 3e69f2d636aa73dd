// Which messages a queue command acts on: explicit ids, everything (--all), or the messages
// whose recipients or sender match a pattern (--recipient, --sender). Shared by the admin
// program and the daemon, so that both select exactly the same messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "queue/envelope.hpp"
#include "util/result.hpp"

namespace nullrelay {

struct Selection {
    std::vector<std::string> ids;  // upper case, validated
    bool all = false;
    std::string recipient;  // pattern; "" = any
    std::string sender;     // pattern; "" = any

    bool empty() const { return ids.empty() && !all && recipient.empty() && sender.empty(); }
    bool has_patterns() const { return !recipient.empty() || !sender.empty(); }
};

// A pattern holding *, ? or [ is a shell glob matched against the whole address (fnmatch);
// any other pattern matches when it occurs anywhere in the address, as with sendmail -qR.
// Both ignore case.
bool address_matches(std::string_view pattern, std::string_view address);

// True when the envelope satisfies the patterns (ids are not looked at). The sender pattern
// is matched against the sender as mailq shows it (MAILER-DAEMON for the null sender); the
// recipient pattern against every recipient not yet delivered, by its address or as
// submitted.
bool matches_patterns(const Selection& selection, const Envelope& envelope);

// Checks a command-line id and returns it in the canonical upper case.
Result<std::string> canonical_queue_id(std::string_view text);

}  // namespace nullrelay
