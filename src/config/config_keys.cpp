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

// Words split on blanks, no quoting: a command run without a shell, so nothing else is special.
Result<std::vector<std::string>> command_words(std::string_view v) {
    std::vector<std::string> argv;
    for (std::string_view word : split(v, ' ')) {
        for (std::string_view w : split(word, '\t'))
            if (!w.empty()) argv.emplace_back(w);
    }
    if (argv.empty() || argv.front().front() != '/')
        return Error{EX_CONFIG,
                     fmt::format("expected an absolute program path and arguments, got '{}'", v)};
    return argv;
}

bool has_control_or_space(std::string_view s) {
    return std::any_of(s.begin(), s.end(),
                       [](unsigned char ch) { return ch <= ' ' || ch == 0x7f; });
}

// scheme://host..., no blanks or control characters, no fragment.
Status check_url(std::string_view v, std::initializer_list<std::string_view> schemes) {
    bool scheme_ok = false;
    for (std::string_view scheme : schemes)
        if (v.starts_with(scheme) && v.size() > scheme.size() && v[scheme.size()] != '/')
            scheme_ok = true;
    if (!scheme_ok) {
        std::string names;
        for (std::string_view scheme : schemes)
            names += fmt::format("{}{}", names.empty() ? "" : " or ", scheme);
        return Error{EX_CONFIG, fmt::format("expected a URL starting with {}, got '{}'", names, v)};
    }
    if (has_control_or_space(v) || v.find('#') != std::string_view::npos)
        return Error{EX_CONFIG,
                     fmt::format("'{}' is not a URL (blanks, control characters or '#')", v)};
    return ok_status();
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
    auto argv = command_words(v);
    if (!argv) return argv.error();
    c.password_command = std::move(*argv);
    return ok_status();
}

Status set_oauth2_grant(Config& c, std::string_view v) {
    if (v == "client_credentials")
        c.oauth2.grant = OAuth2Grant::client_credentials;
    else if (v == "refresh_token")
        c.oauth2.grant = OAuth2Grant::refresh_token;
    else
        return Error{EX_CONFIG,
                     fmt::format("expected client_credentials or refresh_token, got '{}'", v)};
    return ok_status();
}

Status set_https_url(std::string& field, std::string_view v) {
    // Threat: a client secret or refresh token sent in clear. Only https, verified.
    if (Status st = check_url(v, {"https://"}); !st) return st;
    field = std::string(v);
    return ok_status();
}

Status set_oauth2_redirect_uri(Config& c, std::string_view v) {
    // The browser goes there, not nullrelay: the admin copies the address it shows.
    if (Status st = check_url(v, {"http://", "https://"}); !st) return st;
    c.oauth2.redirect_uri = std::string(v);
    return ok_status();
}

Status set_oauth2_text(std::string& field, std::string_view v) {
    // Sent in a form: any text but control characters (a scope has spaces between its words).
    if (std::any_of(v.begin(), v.end(), [](unsigned char ch) { return ch < ' ' || ch == 0x7f; }))
        return Error{EX_CONFIG, fmt::format("control characters in '{}'", one_line(v))};
    field = std::string(v);
    return ok_status();
}

Status set_oauth2_client_secret_command(Config& c, std::string_view v) {
    auto argv = command_words(v);
    if (!argv) return argv.error();
    c.oauth2.client_secret_command = std::move(*argv);
    return ok_status();
}

Status check_oauth2_keys(Config& c,
                         const std::function<Error(std::string_view, const std::string&)>& at) {
    const OAuth2Config& o = c.oauth2;
    const OAuth2Config defaults;
    // Which key holds which setting, to name the one that is wrong.
    const std::vector<std::pair<std::string_view, bool>> set_keys = {
        {"oauth2_token_url", !o.token_url.empty()},
        {"oauth2_device_url", !o.device_url.empty()},
        {"oauth2_authorize_url", !o.authorize_url.empty()},
        {"oauth2_redirect_uri", o.redirect_uri != defaults.redirect_uri},
        {"oauth2_client_id", !o.client_id.empty()},
        {"oauth2_client_secret_file", !o.client_secret_file.empty()},
        {"oauth2_client_secret_command", !o.client_secret_command.empty()},
        {"oauth2_scope", !o.scope.empty()},
        {"oauth2_state_dir", o.state_dir != defaults.state_dir},
        {"oauth2_tls_ca_file", !o.tls_ca_file.empty()},
        {"oauth2_tls_ca_path", !o.tls_ca_path.empty()},
    };
    if (!o.enabled()) {
        for (const auto& [key, set] : set_keys)
            if (set) return at(key, fmt::format("{} needs oauth2_grant", key));
        return ok_status();
    }
    const std::pair<std::string_view, bool> needed[] = {
        {"auth_user", c.auth_user.empty()},
        {"oauth2_token_url", o.token_url.empty()},
        {"oauth2_client_id", o.client_id.empty()},
        {"oauth2_scope", o.scope.empty()},
    };
    for (const auto& [key, missing] : needed)
        if (missing) return at("oauth2_grant", fmt::format("oauth2_grant needs {}", key));
    // The access token is the secret: no password besides it.
    if (!c.password_file.empty())
        return at("password_file", "set password_file or oauth2_grant, not both");
    if (!c.password_command.empty())
        return at("password_command", "set password_command or oauth2_grant, not both");
    if (c.auth_mechanism == AuthMechanism::plain || c.auth_mechanism == AuthMechanism::login)
        return at("auth_mechanism",
                  "oauth2_grant logs in with XOAUTH2: auth_mechanism must be "
                  "xoauth2 or auto");
    c.auth_mechanism = AuthMechanism::xoauth2;
    if (!o.client_secret_file.empty() && !o.client_secret_command.empty())
        return at("oauth2_client_secret_command",
                  "set oauth2_client_secret_file or oauth2_client_secret_command, not both");
    if (o.grant == OAuth2Grant::client_credentials)
        for (std::string_view key :
             {"oauth2_device_url", "oauth2_authorize_url", "oauth2_redirect_uri"})
            for (const auto& [name, set] : set_keys)
                if (name == key && set)
                    return at(key, fmt::format("{} is for oauth2_grant = refresh_token (the "
                                               "login); client_credentials needs no login",
                                               key));
    return ok_status();
}

}  // namespace nullrelay
