// Mail addresses: envelope validation, local/remote, qualification, and RFC 5322 address lists
// as found in To:/Cc:/From: headers and in sendmail's argv.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nullrelay {

// An envelope address that is safe to hand to libcurl, which copies it into an SMTP command
// line unchecked: no CR, LF, NUL or other control character, no '<' or '>', no space outside
// a quoted local part, at most one '@' outside quotes, 1..320 bytes. The empty address (the
// null sender) is not valid here; callers that accept it check for it first.
bool is_valid_envelope_address(std::string_view address);

// Why an address is not valid, for error messages ("" when it is).
std::string envelope_address_problem(std::string_view address);

// The part after the last '@' outside quotes, lowercased; "" when there is none.
std::string domain_of(std::string_view address);
std::string_view local_part_of(std::string_view address);

// `root` -> `root@domain`; an address with a domain is returned unchanged.
std::string qualify(std::string_view address, std::string_view domain);

struct Mailbox {
    std::string display_name;  // phrase before <...>, unquoted; or the comment of `a@b (Name)`
    std::string address;       // the addr-spec, without angle brackets
};

// Parses an address list ("a@b, Name <c@d>, group: e@f;"). Group names are dropped, their
// members kept. Never throws; unparsable fragments are skipped.
std::vector<Mailbox> parse_address_list(std::string_view text);

}  // namespace nullrelay
