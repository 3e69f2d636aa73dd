#include "config/config_keys.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "util/text.hpp"

namespace nullrelay {

namespace {

// A SHA-256 digest in base64: 43 characters of the alphabet and one '='.
bool is_sha256_base64(std::string_view s) {
    if (s.size() != 44 || s.back() != '=') return false;
    return std::all_of(s.begin(), s.end() - 1,
                       [](unsigned char ch) { return std::isalnum(ch) || ch == '+' || ch == '/'; });
}

}  // namespace

Status set_tls_min_version(Config& c, std::string_view v) {
    if (v == "1.2")
        c.tls_min_version = TlsVersion::v1_2;
    else if (v == "1.3")
        c.tls_min_version = TlsVersion::v1_3;
    else  // Older versions are not offered at all: they are broken, not a policy choice.
        return Error{EX_CONFIG, fmt::format("expected 1.2 or 1.3, got '{}'", v)};
    return ok_status();
}

Status set_tls_pins(Config& c, std::string_view v) {
    for (std::string_view pin : split(v, ',')) {
        pin = trim(pin);
        if (pin.starts_with("sha256//")) pin.remove_prefix(8);  // curl's own notation
        if (!is_sha256_base64(pin))
            return Error{EX_CONFIG,
                         fmt::format("'{}' is not a base64 SHA-256 digest (44 characters ending "
                                     "in '='; see the man page for how to compute it)",
                                     pin)};
        c.tls_pin_sha256.emplace_back(pin);
    }
    return ok_status();
}

Status set_auth_mechanism(Config& c, std::string_view v) {
    if (v == "auto")
        c.auth_mechanism = AuthMechanism::automatic;
    else if (v == "plain")
        c.auth_mechanism = AuthMechanism::plain;
    else if (v == "login")
        c.auth_mechanism = AuthMechanism::login;
    else if (v == "xoauth2")
        c.auth_mechanism = AuthMechanism::xoauth2;
    else
        return Error{EX_CONFIG, fmt::format("expected auto, plain, login or xoauth2, got '{}'", v)};
    return ok_status();
}

Status set_password_command(Config& c, std::string_view v) {
    // Split on blanks, no quoting: it is run without a shell, so nothing else is special.
    std::vector<std::string> argv;
    for (std::string_view word : split(v, ' ')) {
        for (std::string_view w : split(word, '\t'))
            if (!w.empty()) argv.emplace_back(w);
    }
    if (argv.empty() || argv.front().front() != '/')
        return Error{EX_CONFIG,
                     fmt::format("expected an absolute program path and arguments, got '{}'", v)};
    c.password_command = std::move(argv);
    return ok_status();
}

}  // namespace nullrelay
