// libcurl's spelling of the TLS and AUTH keys (CURLOPT_PINNEDPUBLICKEY, CURLOPT_LOGIN_OPTIONS),
// for the SMTP session. Strings only: this file does not include curl.h.
#pragma once

#include <string>

#include "config/config.hpp"

namespace nullrelay {

std::string curl_pinned_public_key(const Config& c);  // "sha256//A;sha256//B", "" when unset
std::string curl_login_options(const Config& c);      // "AUTH=PLAIN", "" for auto

}  // namespace nullrelay
