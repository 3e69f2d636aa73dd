// Which certificate authorities verify a TLS peer (the smarthost, the OAuth2 token endpoint).
#pragma once

#include <curl/curl.h>

#include <string>

namespace nullrelay {

// ca_file and ca_path set: only those (either may be empty). Neither: the system's hashed
// directory (libcurl's compiled-in CApath, /etc/ssl/certs on Debian) alone, not the bundle.
// OpenSSL parses a whole CA file when a connection starts: Debian's bundle of about 150
// certificates costs some 20 ms of CPU per connection; from the directory it reads only the
// certificates a chain needs. The directory holds the same CAs (update-ca-certificates makes
// both); Debian's Postfix trusts /etc/ssl/certs the same way (smtp_tls_CApath).
// A libcurl without a compiled-in CApath keeps its own default.
void set_trust_anchors(CURL* h, const std::string& ca_file, const std::string& ca_path);

// What set_trust_anchors trusts, for an error that the peer's certificate did not verify:
// "the system's CAs in /etc/ssl/certs (by hash); tls_ca_file or tls_ca_path for a private CA".
std::string describe_trust_anchors(CURL* h, const std::string& ca_file, const std::string& ca_path);

}  // namespace nullrelay
