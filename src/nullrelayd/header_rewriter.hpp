// Makes the address headers agree with the envelope, so that the delivered message shows no
// bare local name (smarthosts such as SES reject `To: root`; no peer fixes this):
//   - To, Cc, Resent-To, Resent-Cc: each local address is replaced by what the envelope
//     rewriting makes of it (all of its addresses, the display name kept on the first);
//     other addresses stay as they are;
//   - From, Sender, Resent-From, Resent-Sender: each address goes through the sender
//     rewriting (qualification, sender_map), keeping its display name, so
//     `From: root (Cron Daemon)` leaves as `From: Cron Daemon <root@example.org>`;
//   - Reply-To, Resent-Reply-To: local addresses are qualified (never sender_map: answers
//     must still reach whoever the writer named).
// A field in which no address changes stays byte for byte, and so does one larger than 100 KB
// or with more than 10,240 addresses (Postfix's header_size_limit and
// header_address_token_limit): the envelope is rewritten all the same. A field that changes is
// written again as a plain list ("Name <addr>, addr"), folded at 78 columns; comments other than
// display names and group names are not kept.
#pragma once

#include "mail/header_block.hpp"
#include "maps/address_rewriter.hpp"

namespace nullrelay {

inline constexpr size_t kHeaderRewriteSizeLimit = 100 * 1024;
inline constexpr size_t kHeaderRewriteAddressLimit = 10240;

// `budget` (may be null) bounds the map lookups, as for the envelope.
void rewrite_address_headers(HeaderBlock& headers, const AddressRewriter& rewriter,
                             RewriteBudget* budget = nullptr);

// "Name: a, b, c" folded before an item that would pass column 78; the value only.
std::string fold_address_list(std::string_view name, const std::vector<std::string>& items);

}  // namespace nullrelay
