#include "nullrelayd/curl_options.hpp"

namespace nullrelay {

std::string curl_pinned_public_key(const Config& c) {
    std::string out;
    for (const auto& pin : c.tls_pin_sha256)
        out += (out.empty() ? "sha256//" : ";sha256//") + pin;
    return out;
}

std::string curl_login_options(const Config& c) {
    switch (c.auth_mechanism) {
        case AuthMechanism::plain:
            return "AUTH=PLAIN";
        case AuthMechanism::login:
            return "AUTH=LOGIN";
        case AuthMechanism::xoauth2:
            return "AUTH=XOAUTH2";
        case AuthMechanism::automatic:
            break;
    }
    return "";
}

}  // namespace nullrelay
