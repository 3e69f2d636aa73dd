#include "queue/maildrop_format.hpp"

#include <fmt/format.h>

#include "mail/address.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

bool clean_field(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) return false;
    return true;
}

}  // namespace

Result<std::string> format_maildrop_header(const MaildropEnvelope& e) {
    // Every limit the reader applies, applied here first: sendmail must refuse what pickup
    // would refuse, not say "queued" (docs/queue.md, invariants).
    if (e.recipients.size() > kMaxRecipients)
        return Error{EX_DATAERR, fmt::format("too many recipients: {} (the limit is {})",
                                             e.recipients.size(), kMaxRecipients)};
    std::string out(kMaildropSignature);
    out += '\n';
    if (e.sender) {
        if (!e.sender->empty() && !is_valid_envelope_address(*e.sender))
            return Error{EX_DATAERR, fmt::format("bad sender address: {}",
                                                 envelope_address_problem(*e.sender))};
        out += fmt::format("sender {}\n", *e.sender);
    }
    if (!e.full_name.empty()) {
        if (!clean_field(e.full_name))
            return Error{EX_DATAERR, "control character in the full name"};
        out += fmt::format("fullname {}\n", e.full_name);
    }
    const DsnOptions& o = e.dsn;
    for (auto [tag, value] : {std::pair{"notify", &o.notify},
                              {"ret", &o.ret},
                              {"envid", &o.envid},
                              {"body", &o.body_type}}) {
        if (value->empty()) continue;
        if (!clean_field(*value) || value->find(' ') != std::string::npos)
            return Error{EX_DATAERR, fmt::format("bad {} value", tag)};
        out += fmt::format("{} {}\n", tag, *value);
    }
    if (e.queue_only) out += "queue_only\n";
    for (const auto& r : e.recipients) {
        if (!is_valid_envelope_address(r))
            return Error{EX_DATAERR, fmt::format("bad recipient address '{}': {}", one_line(r),
                                                 envelope_address_problem(r))};
        out += fmt::format("rcpt {}\n", r);
    }
    out += "content\n";
    if (out.size() > kMaildropHeaderLimit)
        return Error{EX_DATAERR,
                     fmt::format("the envelope (sender, recipients, options) takes {} bytes; the "
                                 "limit is {}: send to fewer recipients at once",
                                 out.size(), kMaildropHeaderLimit)};
    return out;
}

Result<MaildropEnvelope> parse_maildrop_header(std::string_view data, size_t* content_offset) {
    MaildropEnvelope e;
    size_t pos = 0;
    int lineno = 0;
    auto fail = [&](std::string_view why) {
        return Error{EX_DATAERR, fmt::format("maildrop header line {}: {}", lineno, why)};
    };
    for (;;) {
        ++lineno;
        size_t eol = data.find('\n', pos);
        if (eol == std::string_view::npos || eol > kMaildropHeaderLimit)
            return fail("incomplete or oversized header");
        std::string_view line = data.substr(pos, eol - pos);
        pos = eol + 1;
        if (lineno == 1) {
            if (line != kMaildropSignature) return fail("not a maildrop file of this version");
            continue;
        }
        if (line == "content") break;
        if (!clean_field(line)) return fail("control character");
        auto sp = line.find(' ');
        std::string_view tag = line.substr(0, sp);
        std::string_view value = sp == std::string_view::npos ? "" : line.substr(sp + 1);
        if (tag == "sender") {
            if (e.sender) return fail("repeated sender");
            if (!value.empty() && !is_valid_envelope_address(value))
                return fail("bad sender address");
            e.sender = std::string(value);
        } else if (tag == "fullname") {
            e.full_name = std::string(value);
        } else if (tag == "notify" || tag == "ret" || tag == "envid" || tag == "body") {
            std::string problem;
            std::string canonical = tag == "notify"  ? canonical_notify(value, &problem)
                                    : tag == "ret"   ? canonical_ret(value, &problem)
                                    : tag == "envid" ? canonical_envid(value, &problem)
                                                     : canonical_body_type(value, &problem);
            if (!problem.empty()) return fail(fmt::format("bad {}: {}", tag, problem));
            (tag == "notify"  ? e.dsn.notify
             : tag == "ret"   ? e.dsn.ret
             : tag == "envid" ? e.dsn.envid
                              : e.dsn.body_type) = canonical;
        } else if (line == "queue_only") {
            e.queue_only = true;
        } else if (tag == "rcpt") {
            if (!is_valid_envelope_address(value)) return fail("bad recipient address");
            if (e.recipients.size() >= kMaxRecipients) return fail("too many recipients");
            e.recipients.emplace_back(value);
        } else {
            return fail(fmt::format("unknown record '{}'", one_line(tag)));
        }
    }
    if (e.recipients.empty()) return Error{EX_DATAERR, "maildrop file without recipients"};
    *content_offset = pos;
    return e;
}

}  // namespace nullrelay
