// What the relay changes in a message's header section at pickup, in one place so that the
// man page's list of added and removed headers can point here (Postfix calls this cleanup):
//   - adds Date:, Message-ID: and From: when missing (the Resent- forms when the message
//     has Resent- headers), as sendmail and Postfix do for local submissions;
//   - removes Bcc:, Resent-Bcc:, Return-Path: and Content-Length:, as Postfix does;
//   - rewrites local addresses in the address headers as the envelope was rewritten
//     (header_rewriter.hpp).
// Everything else passes byte for byte.
#pragma once

#include <ctime>
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
    const AddressRewriter* rewriter = nullptr;  // null: address headers are left alone
};

void clean_up_headers(HeaderBlock& headers, const CleanupContext& context);

}  // namespace nullrelay
