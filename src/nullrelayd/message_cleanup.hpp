// What the relay changes in a message's header section at pickup, in one place so that the
// man page's list of added and removed headers can point here (Postfix calls this cleanup):
//   - adds Received: at the top (by HOST (nullrelay, from userid N), the queue id and the
//     time), unless received_header = no;
//   - adds Date:, Message-ID: and From: when missing (the Resent- forms when the message
//     has Resent- headers), as sendmail and Postfix do for local submissions;
//   - removes Bcc:, Resent-Bcc:, Return-Path: and Content-Length:, as Postfix does;
//   - rewrites local addresses in the address headers as the envelope was rewritten
//     (header_rewriter.hpp).
// Everything else passes byte for byte.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

#include "mail/header_block.hpp"
#include "maps/address_rewriter.hpp"

namespace nullrelay {

struct CleanupContext {
    std::string queue_id;
    std::string hostname;   // for Message-ID
    std::string sender;     // envelope sender, qualified; "" for <>
    std::string full_name;  // -F or the submitter's GECOS name
    std::time_t arrival = 0;
    const AddressRewriter* rewriter = nullptr;   // null: address headers are left alone
    RewriteBudget* budget = nullptr;             // the message's, shared with the envelope
    std::optional<std::uint32_t> submitter_uid;  // set: a Received: field names it
};

void clean_up_headers(HeaderBlock& headers, const CleanupContext& context);

}  // namespace nullrelay
