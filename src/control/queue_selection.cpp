#include "control/queue_selection.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "queue/queue_id.hpp"
#include "util/text.hpp"

namespace nullrelay {

bool address_matches(std::string_view pattern, std::string_view address) {
    if (pattern.find_first_of("*?[") != std::string_view::npos)
        return ::fnmatch(std::string(pattern).c_str(), std::string(address).c_str(),
                         FNM_CASEFOLD) == 0;
    return to_lower(address).find(to_lower(pattern)) != std::string::npos;
}

bool matches_patterns(const Selection& selection, const Envelope& envelope) {
    if (!selection.sender.empty() &&
        !address_matches(selection.sender,
                         envelope.sender.empty() ? "MAILER-DAEMON" : envelope.sender))
        return false;
    if (selection.recipient.empty()) return true;
    return std::any_of(
        envelope.recipients.begin(), envelope.recipients.end(), [&](const Recipient& r) {
            return r.state != RecipientState::sent &&
                   (address_matches(selection.recipient, r.address) ||
                    (!r.original.empty() && address_matches(selection.recipient, r.original)));
        });
}

Result<std::string> canonical_queue_id(std::string_view text) {
    // Pasted from mailq, an id may carry its status mark.
    if (!text.empty() && (text.back() == '*' || text.back() == '!')) text.remove_suffix(1);
    std::string id(text);
    std::transform(id.begin(), id.end(), id.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (!is_valid_queue_id(id))
        return Error{EX_USAGE, fmt::format("'{}' is not a queue id (16 hex digits, as mailq "
                                           "shows them without the * or ! mark)",
                                           one_line(text))};
    return id;
}

}  // namespace nullrelay
