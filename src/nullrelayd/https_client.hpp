// POSTs a form to an OAuth2 endpoint (token, device authorization) over HTTPS with libcurl and
// returns the reply. The TLS rules are the smarthost's: peer and host name always verified, TLS
// 1.2 at least (tls_min_version), never plain HTTP, no redirect followed; oauth2_tls_ca_file
// and oauth2_tls_ca_path, when set, are the only CAs trusted. Bounded waits (connect_timeout, twice
// that for the whole request) and a bounded reply. Nothing is logged here: the form holds secrets.
// HttpsClient is the test seam: the OAuth2 logic is unit-tested with scripted replies.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "util/result.hpp"

namespace nullrelay {

// application/x-www-form-urlencoded fields, in order.
using Form = std::vector<std::pair<std::string, std::string>>;

struct HttpReply {
    long status = 0;   // the HTTP status code
    std::string body;  // at most kMaxHttpReply bytes
};

inline constexpr size_t kMaxHttpReply = 64 * 1024;

class HttpsClient {
  public:
    virtual ~HttpsClient() = default;
    // Any HTTP reply is a reply (the caller reads the OAuth2 error in it); an Error
    // (EX_TEMPFAIL) means no reply: no connection, TLS refused, timeout, reply too large.
    virtual Result<HttpReply> post_form(const std::string& url, const Form& form) = 0;
};

// The libcurl client with the configuration's TLS rules and timeouts.
std::unique_ptr<HttpsClient> make_https_client(const Config& config);

// "a=1&b=x%20y": RFC 3986 unreserved characters as they are, everything else %XX.
std::string form_encode(const Form& form);
// Undoes %XX and '+' (a query string pasted back by the admin); nullopt when malformed.
std::optional<std::string> form_decode(std::string_view text);

}  // namespace nullrelay
