#include "mail/mailbox.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "mail/charset.hpp"
#include "mail/encoded_word.hpp"

namespace nullrelay {

namespace {

bool is_atext_phrase(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || c == ' ' ||
               std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
    });
}

}  // namespace

std::string format_mailbox(std::string_view name, std::string_view address) {
    if (name.empty()) return std::string(address);
    bool ascii = std::all_of(name.begin(), name.end(),
                             [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
    std::string phrase;
    if (!ascii) {
        // Encoded-words that fit the line after "From: " (the 7-bit downgrade would keep a
        // single long one as it is).
        phrase = encode_words(name, charset_label(name), 70);
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

}  // namespace nullrelay
