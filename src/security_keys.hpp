// The configuration keys of the TLS, AUTH and secrets policy (man/nullrelay.conf.5), kept out
// of config.cpp's general table. Each sets one field or explains what is wrong with the value.
#pragma once

#include <string>
#include <string_view>

#include "config.hpp"
#include "result.hpp"

namespace nullrelay {

Status set_tls_min_version(Config& c, std::string_view value);   // 1.2 | 1.3
Status set_tls_pins(Config& c, std::string_view value);          // base64[, base64...]
Status set_auth_mechanism(Config& c, std::string_view value);    // auto|plain|login|xoauth2
Status set_password_command(Config& c, std::string_view value);  // /path arg...

// libcurl's forms of the keys above.
std::string curl_pinned_public_key(const Config& c);  // "sha256//A;sha256//B", "" when unset
std::string curl_login_options(const Config& c);      // "AUTH=PLAIN", "" for auto

}  // namespace nullrelay
