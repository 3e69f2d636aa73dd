// The setters of the configuration keys of the TLS, AUTH and secrets policy
// (man/nullrelay.conf.5), kept out of config.cpp's general table. Part of the config module:
// only config.cpp calls them. Each sets one field or explains what is wrong with the value.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "util/result.hpp"

namespace nullrelay {

Status set_tls_min_version(Config& c, std::string_view value);   // 1.2 | 1.3
Status set_tls_pins(Config& c, std::string_view value);          // base64[, base64...]
Status set_auth_mechanism(Config& c, std::string_view value);    // auto|plain|login|xoauth2
Status set_password_command(Config& c, std::string_view value);  // /path arg...

// The oauth2_* keys (the built-in OAuth2 client).
Status set_oauth2_grant(Config& c, std::string_view value);  // client_credentials|refresh_token
// An https:// URL (the token, device and authorization endpoints) into that field.
Status set_https_url(std::string& field, std::string_view value);
Status set_oauth2_redirect_uri(Config& c, std::string_view value);           // http(s)://...
Status set_oauth2_text(std::string& field, std::string_view value);          // client id, scope
Status set_oauth2_client_secret_command(Config& c, std::string_view value);  // /path arg...
// Checks across the oauth2_* keys and the AUTH keys; `at` names the line of a key.
Status check_oauth2_keys(
    Config& c, const std::function<Error(std::string_view key, const std::string& msg)>& at);

}  // namespace nullrelay
