#include "control/control_protocol.hpp"

#include <charconv>

#include <fmt/format.h>

#include "queue/queue_id.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

bool is_line_safe(std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

std::optional<Place> place_named(std::string_view word) {
    for (Place p : {Place::queue, Place::hold, Place::failed})
        if (to_string(p) == word) return p;
    return std::nullopt;
}

bool parse_int(std::string_view s, int& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

// "<word> <rest>": splits at the first space.
std::pair<std::string_view, std::string_view> split_word(std::string_view line) {
    auto sp = line.find(' ');
    if (sp == std::string_view::npos) return {line, {}};
    return {line.substr(0, sp), line.substr(sp + 1)};
}

Error bad_reply(std::string_view why, std::string_view line) {
    return {EX_PROTOCOL, fmt::format("unexpected reply from nullrelayd ({}): '{}'", why,
                                     one_line(line.substr(0, 200)))};
}

}  // namespace

Result<std::string> encode_request(const Request& request) {
    const Selection& s = request.selection;
    for (const std::string* value : {&s.recipient, &s.sender})
        if (!is_line_safe(*value) || value->size() > kMaxPatternLength)
            return Error{EX_USAGE, fmt::format("a pattern must be one line of at most {} bytes",
                                               kMaxPatternLength)};
    std::string out = fmt::format("{}\naction {}\n", kControlSignature, to_string(request.action));
    for (const auto& id : s.ids) {
        if (!is_valid_queue_id(id)) return Error{EX_USAGE, fmt::format("bad queue id '{}'", id)};
        out += fmt::format("id {}\n", id);
    }
    if (s.all) out += "all\n";
    if (!s.recipient.empty()) out += fmt::format("recipient {}\n", s.recipient);
    if (!s.sender.empty()) out += fmt::format("sender {}\n", s.sender);
    if (request.wait) out += "wait\n";
    if (!request.reason.empty()) {
        if (Status st = check_pause_reason(request.reason); !st) return st.error();
        out += fmt::format("reason {}\n", request.reason);
    }
    out += '\n';
    return out;
}

std::optional<size_t> request_end(std::string_view buffer) {
    auto pos = buffer.find("\n\n");
    if (pos == std::string_view::npos) return std::nullopt;
    return pos + 2;
}

Result<Request> decode_request(std::string_view text) {
    auto fail = [](std::string why) { return Error{EX_PROTOCOL, "bad request: " + why}; };
    if (text.find('\0') != std::string_view::npos || text.find('\r') != std::string_view::npos)
        return fail("control character");
    auto lines = split(text, '\n');
    // A complete request ends with "\n\n": the split leaves two empty strings at the end.
    if (lines.size() < 3 || lines[lines.size() - 1] != "" || lines[lines.size() - 2] != "")
        return fail("not terminated by an empty line");
    lines.resize(lines.size() - 2);
    if (lines[0] != kControlSignature) return fail("unknown protocol version");
    Request r;
    bool have_action = false, have_recipient = false, have_sender = false, have_reason = false;
    for (size_t i = 1; i < lines.size(); ++i) {
        auto [word, value] = split_word(lines[i]);
        if (word == "action" && !have_action) {
            auto a = action_named(value);
            if (!a) return fail(fmt::format("unknown action '{}'", one_line(value)));
            r.action = *a;
            have_action = true;
        } else if (word == "id") {
            if (!is_valid_queue_id(value)) return fail("bad queue id");
            r.selection.ids.emplace_back(value);
        } else if (word == "all" && value.empty()) {
            r.selection.all = true;
        } else if (word == "recipient" && !have_recipient && !value.empty() &&
                   value.size() <= kMaxPatternLength) {
            r.selection.recipient = std::string(value);
            have_recipient = true;
        } else if (word == "sender" && !have_sender && !value.empty() &&
                   value.size() <= kMaxPatternLength) {
            r.selection.sender = std::string(value);
            have_sender = true;
        } else if (word == "wait" && value.empty()) {
            r.wait = true;
        } else if (word == "reason" && !have_reason && check_pause_reason(value)) {
            r.reason = std::string(value);
            have_reason = true;
        } else {
            return fail(fmt::format("unexpected line '{}'", one_line(lines[i].substr(0, 100))));
        }
    }
    if (!have_action) return fail("no action");
    if (r.action == Action::show && r.selection.ids.size() != 1)
        return fail("show takes exactly one id");
    return r;
}

std::string encode_message(const ListedMessage& listed) {
    auto text = serialize_envelope(listed.envelope);
    if (!text)
        return encode_problem(
            {EX_DATAERR, fmt::format("{}: {}", listed.envelope.id, text.error().message)});
    return fmt::format("message {} {}\n{}", message_place(listed), listed.active ? 1 : 0, *text);
}

std::string encode_paused(const DeliveryPause& pause) {
    return fmt::format("paused {} {}\n", pause.since, pause.reason);
}

std::string encode_problem(const Error& error) {
    return fmt::format("problem {} {}\n", error.exit_code, one_line(error.message));
}

std::string encode_result(const Outcome& outcome) {
    return fmt::format("result {} {} {}\n", outcome.id, outcome.code, one_line(outcome.text));
}

std::string encode_waiting(const std::string& id) {
    return fmt::format("waiting {}\n", id);
}

std::string encode_stat(const std::string& name, const std::string& value) {
    return fmt::format("stat {} {}\n", name, one_line(value));
}

std::string encode_done(int code, std::string_view text) {
    return fmt::format("done {} {}\n", code, one_line(text));
}

Status ReplyDecoder::feed(std::string_view bytes, std::vector<UniqueFd>& fds) {
    partial_.append(bytes);
    size_t start = 0;
    for (;;) {
        auto nl = partial_.find('\n', start);
        if (nl == std::string::npos) break;
        Status st = line(std::string_view(partial_).substr(start, nl - start), fds);
        start = nl + 1;
        if (!st) return st;
    }
    partial_.erase(0, start);
    return ok_status();
}

Status ReplyDecoder::line(std::string_view line, std::vector<UniqueFd>& fds) {
    if (done_) return bad_reply("data after done", line);
    if (message_place_) {
        envelope_.append(line).append("\n");
        if (line != "end") return ok_status();
        auto env = parse_envelope(envelope_);
        envelope_.clear();
        Place place = *std::exchange(message_place_, std::nullopt);
        if (!env) return bad_reply(env.error().message, "message");
        sink_.message({std::move(*env), place, message_active_, message_in_maildrop_});
        return ok_status();
    }
    auto [word, rest] = split_word(line);
    if (word == "message") {
        auto [place_word, active] = split_word(rest);
        message_in_maildrop_ = place_word == "maildrop";
        auto place =
            message_in_maildrop_ ? std::optional<Place>(Place::queue) : place_named(place_word);
        if (!place || (active != "0" && active != "1")) return bad_reply("message", line);
        message_place_ = place;
        message_active_ = active == "1";
        envelope_.clear();
    } else if (word == "problem" || word == "done") {
        auto [code_word, text] = split_word(rest);
        int code = 0;
        if (!parse_int(code_word, code)) return bad_reply(word, line);
        if (word == "problem")
            sink_.problem({code, std::string(text)});
        else
            done_ = Error{code, std::string(text)};
    } else if (word == "result") {
        auto [id, tail] = split_word(rest);
        auto [code_word, text] = split_word(tail);
        int code = 0;
        if ((!is_valid_queue_id(id) && id != kDeliveriesSubject) || !parse_int(code_word, code))
            return bad_reply(word, line);
        sink_.result({std::string(id), code, std::string(text)});
    } else if (word == "stat") {
        auto [name, value] = split_word(rest);
        if (name.empty() || value.empty() ||
            name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") !=
                std::string_view::npos)
            return bad_reply(word, line);
        sink_.stat(std::string(name), std::string(value));
    } else if (word == "paused") {
        auto [since, reason] = split_word(rest);
        auto pause = decode_pause(fmt::format("since {}\nreason {}\n", since, reason));
        if (!pause) return bad_reply(pause.error().message, line);
        sink_.paused(*pause);
    } else if (word == "waiting" && is_valid_queue_id(rest)) {
        sink_.waiting(std::string(rest));
    } else if (word == "content" && rest.empty()) {
        if (fds.empty()) return bad_reply("content without a descriptor", line);
        sink_.content(std::move(fds.front()));
        fds.erase(fds.begin());
    } else {
        return bad_reply("unknown record", line);
    }
    return ok_status();
}

Status ReplyDecoder::outcome() const {
    if (!done_) return Error{EX_PROTOCOL, "nullrelayd ended the reply early"};
    if (done_->exit_code != EX_OK) return *done_;
    return ok_status();
}

}  // namespace nullrelay
