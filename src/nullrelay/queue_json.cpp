#include "nullrelay/queue_json.hpp"

#include <fmt/format.h>

#include "util/terminal_text.hpp"

namespace nullrelay {

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (size_t i = 0; i < text.size();) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        size_t len = utf8_sequence(text, i);
        if (len == 0) {
            out += "\\ufffd";
            ++i;
            continue;
        }
        if (len == 2 && is_c1_control(text, i)) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned char>(text[i + 1]));
        } else if (len > 1) {
            out.append(text.substr(i, len));
        } else if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            out += fmt::format("\\u{:04x}", c);
        } else {
            out += static_cast<char>(c);
        }
        i += len;
    }
    out += '"';
    return out;
}

std::string format_json_message(const ListedMessage& m) {
    const Envelope& e = m.envelope;
    std::string rcpts;
    for (const auto& r : e.recipients) {
        if (!rcpts.empty()) rcpts += ", ";
        rcpts += fmt::format(R"({{"address": {}, "original": {}, "state": {}, "last_reply": {}}})",
                             json_string(r.address),
                             json_string(r.original.empty() ? r.address : r.original),
                             json_string(to_string(r.state)), json_string(r.last_reply));
    }
    return fmt::format(
        R"({{"id": {}, "state": {}, "queue": {}, "arrival": {}, "size": {}, "sender": {}, )"
        R"("submitter": {{"uid": {}, "name": {}}}, "attempts": {}, "next_attempt": {}, )"
        R"("last_error": {}, "recipients": [{}]}})"
        "\n",
        json_string(e.id), json_string(message_state(m)), json_string(message_place(m)), e.arrival,
        e.size, json_string(e.sender), e.submitter_uid, json_string(e.submitter_name), e.attempts,
        e.next_attempt, json_string(e.last_error), rcpts);
}

}  // namespace nullrelay
