#include "queue/envelope.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include <fmt/format.h>

#include "queue/queue_id.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

bool has_line_breaking_char(std::string_view s, bool tab_too) {
    return std::any_of(s.begin(), s.end(), [&](char c) {
        return c == '\r' || c == '\n' || c == '\0' || (tab_too && c == '\t');
    });
}

template <class Int>
bool parse_number(std::string_view s, Int& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

bool parse_state(std::string_view s, RecipientState& out) {
    if (s == "pending")
        out = RecipientState::pending;
    else if (s == "sent")
        out = RecipientState::sent;
    else if (s == "bounced")
        out = RecipientState::bounced;
    else
        return false;
    return true;
}

}  // namespace

bool Envelope::has_pending() const {
    return std::any_of(recipients.begin(), recipients.end(),
                       [](const Recipient& r) { return r.state == RecipientState::pending; });
}

std::string_view to_string(RecipientState state) {
    switch (state) {
        case RecipientState::pending:
            return "pending";
        case RecipientState::sent:
            return "sent";
        case RecipientState::bounced:
            return "bounced";
    }
    return "pending";
}

Result<std::string> serialize_envelope(const Envelope& e) {
    auto bad = [&](std::string_view field) {
        return Error{
            EX_SOFTWARE,
            fmt::format("queue file for {}: field {} holds a forbidden character", e.id, field)};
    };
    if (!is_valid_queue_id(e.id)) return Error{EX_SOFTWARE, fmt::format("bad queue id '{}'", e.id)};
    if (has_line_breaking_char(e.submitter_name, true) ||
        e.submitter_name.find(' ') != std::string::npos)
        return bad("submitter");
    if (has_line_breaking_char(e.sender, true)) return bad("sender");
    if (has_line_breaking_char(e.last_error, false)) return bad("last_error");
    if (e.recipients.empty()) return Error{EX_SOFTWARE, fmt::format("{} has no recipients", e.id)};
    std::string out;
    out += kEnvelopeSignature;
    out += '\n';
    out += fmt::format(
        "id {}\narrival {}\nsubmitter {} {}\nsender {}\nsize {}\nattempts {}\n"
        "next_attempt {}\n",
        e.id, e.arrival, e.submitter_uid, e.submitter_name, e.sender, e.size, e.attempts,
        e.next_attempt);
    if (!e.last_error.empty()) out += fmt::format("last_error {}\n", e.last_error);
    if (!e.unsendable.empty()) {
        if (has_line_breaking_char(e.unsendable, false)) return bad("unsendable");
        out += fmt::format("unsendable {}\n", e.unsendable);
    }
    if (!e.sender_original.empty()) {
        if (has_line_breaking_char(e.sender_original, true)) return bad("sender_original");
        out += fmt::format("sender_original {}\n", e.sender_original);
    }
    for (auto [tag, value] : {std::pair{"notify", &e.dsn.notify},
                              {"ret", &e.dsn.ret},
                              {"envid", &e.dsn.envid},
                              {"body", &e.dsn.body_type}}) {
        if (value->empty()) continue;
        if (has_line_breaking_char(*value, true)) return bad(tag);
        out += fmt::format("{} {}\n", tag, *value);
    }
    if (e.content_offset != 0) out += fmt::format("content_offset {}\n", e.content_offset);
    for (const auto& r : e.recipients) {
        if (has_line_breaking_char(r.address, true) || r.address.empty())
            return bad("rcpt address");
        if (has_line_breaking_char(r.original, true)) return bad("rcpt original");
        if (has_line_breaking_char(r.last_reply, true)) return bad("rcpt reply");
        out += fmt::format("rcpt {}\t{}\t{}\t{}\n", to_string(r.state), r.address, r.original,
                           r.last_reply);
    }
    out += "end\n";
    return out;
}

Result<std::string> serialize_envelope_before_content(Envelope& e) {
    // The length counts the record that states it: a few rounds settle its digits.
    e.content_offset = 1;
    for (int round = 0; round < 4; ++round) {
        auto text = serialize_envelope(e);
        if (!text || text->size() == e.content_offset) return text;
        e.content_offset = text->size();
    }
    return Error{EX_SOFTWARE,
                 fmt::format("queue file for {}: content offset does not settle", e.id)};
}

std::optional<size_t> envelope_length(std::string_view text, size_t searched) {
    if (text.starts_with("end\n")) return 4;
    size_t at = text.find("\nend\n", searched < 4 ? 0 : searched - 4);
    if (at == std::string_view::npos) return std::nullopt;
    return at + 5;
}

Result<Envelope> parse_envelope(std::string_view text) {
    Envelope e;
    int lineno = 0;
    std::set<std::string, std::less<>> seen;
    bool ended = false;
    auto fail = [&](std::string_view why) {
        return Error{EX_DATAERR, fmt::format("line {}: {}", lineno, why)};
    };
    if (text.find('\0') != std::string_view::npos)
        return Error{EX_DATAERR, "NUL byte in queue file"};
    auto lines = split(text, '\n');
    if (lines.empty() || lines.back() != "")
        return Error{EX_DATAERR, "truncated queue file (no final newline)"};
    lines.pop_back();
    for (std::string_view line : lines) {
        ++lineno;
        if (ended) return fail("data after the end record");
        if (lineno == 1) {
            if (line != kEnvelopeSignature)
                return fail(fmt::format("expected '{}', not a queue file of this version",
                                        kEnvelopeSignature));
            continue;
        }
        if (line.find('\r') != std::string_view::npos) return fail("CR in queue file");
        if (line == "end") {
            ended = true;
            continue;
        }
        auto sp = line.find(' ');
        std::string_view tag = line.substr(0, sp);
        std::string_view value =
            sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
        if (tag != "rcpt") {
            if (seen.count(tag)) return fail(fmt::format("repeated record '{}'", tag));
            seen.emplace(tag);
        }
        if (tag == "id") {
            if (!is_valid_queue_id(value)) return fail("bad queue id");
            e.id = std::string(value);
        } else if (tag == "arrival") {
            if (!parse_number(value, e.arrival)) return fail("bad arrival time");
        } else if (tag == "submitter") {
            auto sp2 = value.find(' ');
            if (sp2 == std::string_view::npos ||
                !parse_number(value.substr(0, sp2), e.submitter_uid))
                return fail("bad submitter");
            e.submitter_name = std::string(value.substr(sp2 + 1));
        } else if (tag == "sender") {
            if (sp == std::string_view::npos) return fail("sender record without a value");
            e.sender = std::string(value);
        } else if (tag == "size") {
            if (!parse_number(value, e.size)) return fail("bad size");
        } else if (tag == "attempts") {
            if (!parse_number(value, e.attempts) || e.attempts < 0) return fail("bad attempts");
        } else if (tag == "next_attempt") {
            if (!parse_number(value, e.next_attempt)) return fail("bad next_attempt");
        } else if (tag == "last_error") {
            e.last_error = std::string(value);
        } else if (tag == "unsendable") {
            e.unsendable = std::string(value);
        } else if (tag == "sender_original") {
            e.sender_original = std::string(value);
        } else if (tag == "notify") {
            e.dsn.notify = std::string(value);
        } else if (tag == "ret") {
            e.dsn.ret = std::string(value);
        } else if (tag == "envid") {
            e.dsn.envid = std::string(value);
        } else if (tag == "body") {
            e.dsn.body_type = std::string(value);
        } else if (tag == "content_offset") {
            if (!parse_number(value, e.content_offset)) return fail("bad content_offset");
        } else if (tag == "rcpt") {
            auto f = split(value, '\t');
            if (f.size() != 4) return fail("rcpt record needs 4 tab-separated fields");
            Recipient r;
            if (!parse_state(f[0], r.state)) return fail("bad recipient state");
            if (f[1].empty()) return fail("empty recipient address");
            r.address = std::string(f[1]);
            r.original = std::string(f[2]);
            r.last_reply = std::string(f[3]);
            e.recipients.push_back(std::move(r));
        } else {
            return fail(fmt::format("unknown record '{}'", tag));
        }
    }
    if (!ended) return Error{EX_DATAERR, "truncated queue file (no end record)"};
    for (const char* required : {"id", "arrival", "submitter", "sender", "size"})
        if (!seen.count(std::string_view(required)))
            return Error{EX_DATAERR, fmt::format("missing record '{}'", required)};
    if (e.recipients.empty()) return Error{EX_DATAERR, "no recipients"};
    return e;
}

}  // namespace nullrelay
