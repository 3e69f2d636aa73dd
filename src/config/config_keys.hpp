// The setters of the configuration keys of the TLS, AUTH and secrets policy
// (man/nullrelay.conf.5), kept out of config.cpp's general table. Part of the config module:
// only config.cpp calls them. Each sets one field or explains what is wrong with the value.
#pragma once

#include <string>
#include <string_view>

#include "config/config.hpp"
#include "util/result.hpp"

namespace nullrelay {

Status set_tls_min_version(Config& c, std::string_view value);   // 1.2 | 1.3
Status set_tls_pins(Config& c, std::string_view value);          // base64[, base64...]
Status set_auth_mechanism(Config& c, std::string_view value);    // auto|plain|login|xoauth2
Status set_password_command(Config& c, std::string_view value);  // /path arg...

}  // namespace nullrelay
