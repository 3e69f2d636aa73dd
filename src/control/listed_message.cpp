#include "control/listed_message.hpp"

namespace nullrelay {

std::string_view message_state(const ListedMessage& m) {
    if (m.in_maildrop) return "maildrop";
    if (m.active) return "active";
    if (m.place == Place::hold) return "held";
    if (m.place == Place::failed) return "failed";
    return m.envelope.attempts > 0 ? "deferred" : "queued";
}

std::string_view message_place(const ListedMessage& m) {
    return m.in_maildrop ? "maildrop" : to_string(m.place);
}

}  // namespace nullrelay
