#include "message_cleanup.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "header_rewriter.hpp"

namespace nullrelay {

namespace {

bool is_atext_phrase(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || c == ' ' ||
               std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
    });
}

std::string base64(std::string_view in) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    while (i + 2 < in.size()) {
        unsigned v =
            (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
        out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
        i += 3;
    }
    if (i + 1 == in.size()) {
        unsigned v = (unsigned char)in[i] << 16;
        out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == in.size()) {
        unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
        out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
    }
    return out;
}

}  // namespace

std::string format_mailbox(std::string_view name, std::string_view address) {
    if (name.empty()) return std::string(address);
    bool ascii = std::all_of(name.begin(), name.end(),
                             [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
    std::string phrase;
    if (!ascii) {
        phrase = fmt::format("=?UTF-8?B?{}?=", base64(name));
    } else if (is_atext_phrase(name)) {
        phrase = std::string(name);
    } else {
        phrase = "\"";
        for (char c : name) {
            if (c == '"' || c == '\\') phrase += '\\';
            phrase += c;
        }
        phrase += '"';
    }
    return fmt::format("{} <{}>", phrase, address);
}

std::string format_rfc5322_date(std::time_t when) {
    std::tm tm{};
    ::localtime_r(&when, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S %z", &tm);
    return buf;
}

void clean_up_headers(HeaderBlock& h, const CleanupContext& c) {
    for (const char* name : {"Bcc", "Resent-Bcc", "Return-Path", "Content-Length"})
        h.remove(name);
    if (c.rewriter) rewrite_address_headers(h, *c.rewriter);
    // RFC 5322 §3.6.6: a resent message gets its own Resent-Date/-From/-Message-ID block.
    const bool resent = h.has_prefix("Resent-");
    const std::string prefix = resent ? "Resent-" : "";
    if (!h.has(prefix + "Date")) h.add(prefix + "Date", format_rfc5322_date(c.arrival));
    if (!h.has(prefix + "Message-ID")) {
        std::tm tm{};
        ::gmtime_r(&c.arrival, &tm);
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
        h.add(prefix + "Message-ID", fmt::format("<{}.{}@{}>", stamp, c.queue_id, c.hostname));
    }
    if (!h.has(prefix + "From")) {
        // The null sender has no mailbox of its own; name the local mailer daemon instead.
        std::string from = c.sender.empty() ? "MAILER-DAEMON@" + c.hostname : c.sender;
        h.add(prefix + "From", format_mailbox(c.full_name, from));
    }
}

}  // namespace nullrelay
