#include "nullrelay/queue_json.hpp"

#include <fmt/format.h>

namespace nullrelay {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF).
size_t utf8_sequence(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return 0;
    for (size_t k = 1; k < len; ++k)
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
    if (len == 2 && c < 0xC2) return 0;
    if (len == 3) {
        unsigned char d = byte(i + 1);
        if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d >= 0xA0)) return 0;
    }
    if (len == 4) {
        unsigned char d = byte(i + 1);
        if ((c == 0xF0 && d < 0x90) || (c == 0xF4 && d >= 0x90) || c > 0xF4) return 0;
    }
    return len;
}

}  // namespace

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
        if (len > 1) {
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
        json_string(e.id), json_string(message_state(m)), json_string(to_string(m.place)),
        e.arrival, e.size, json_string(e.sender), e.submitter_uid, json_string(e.submitter_name),
        e.attempts, e.next_attempt, json_string(e.last_error), rcpts);
}

}  // namespace nullrelay
