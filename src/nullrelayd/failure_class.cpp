#include "nullrelayd/failure_class.hpp"

#include <cctype>

#include "util/text.hpp"

namespace nullrelay {

namespace {

bool mentions(const std::string& text, std::string_view word) {
    if (word.size() > text.size()) return false;
    for (size_t i = 0; i + word.size() <= text.size(); ++i)
        if (istarts_with(std::string_view(text).substr(i), word)) return true;
    return false;
}

// "451 4.3.0 ...", "550-5.1.1 ...": a server reply, not one of our reasons.
bool is_reply(std::string_view text) {
    return text.size() >= 4 && (text[0] == '4' || text[0] == '5') &&
           std::isdigit(static_cast<unsigned char>(text[1])) &&
           std::isdigit(static_cast<unsigned char>(text[2])) && (text[3] == ' ' || text[3] == '-');
}

}  // namespace

FailureClass transport_failure(const SmtpAttempt& a) {
    if (a.refused_without_auth) return FailureClass::auth;
    for (const auto& e : a.exchanges) {
        if (istarts_with(e.command, "AUTH") && e.code >= 400) return FailureClass::auth;
        if (istarts_with(e.command, "STARTTLS") && e.code >= 400) return FailureClass::tls;
    }
    for (std::string_view word : {"SSL", "TLS", "certificate", "handshake"})
        if (mentions(a.error, word)) return FailureClass::tls;
    for (std::string_view word : {"authentication", "login denied"})
        if (mentions(a.error, word)) return FailureClass::auth;
    return FailureClass::connection;
}

FailureClass failure_class(const RecipientVerdict& v, FailureClass without_reply) {
    if (is_reply(v.reply))
        return v.reply[0] == '5' ? FailureClass::reply_5xx : FailureClass::reply_4xx;
    if (v.verdict == Verdict::bounced || v.dsn.starts_with("5")) return FailureClass::reply_5xx;
    return without_reply;
}

}  // namespace nullrelay
