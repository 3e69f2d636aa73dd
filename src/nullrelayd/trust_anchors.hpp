// Which certificate authorities verify a TLS peer (the smarthost, the OAuth2 token endpoint).
#pragma once

#include <curl/curl.h>

#include <string>
#include <string_view>

namespace nullrelay {

// ca_file and ca_path set: only those (either may be empty). Neither: the system's hashed
// directory (libcurl's compiled-in CApath, /etc/ssl/certs on Debian) alone, not the bundle.
// OpenSSL parses a whole CA file when a connection starts: Debian's bundle of about 150
// certificates costs some 20 ms of CPU per connection; from the directory it reads only the
// certificates a chain needs. The directory holds the same CAs (update-ca-certificates makes
// both); Debian's Postfix trusts /etc/ssl/certs the same way (smtp_tls_CApath).
// A libcurl without a compiled-in CApath keeps its own default.
void set_trust_anchors(CURL* h, const std::string& ca_file, const std::string& ca_path);

// For a transfer on `h` that ended with `rc`: when the peer's certificate chain did not
// verify, what set_trust_anchors trusted, as " (trusted: the system's CAs in /etc/ssl/certs
// (by hash); tls_ca_file or tls_ca_path for a private CA)"; otherwise "" (a host name
// mismatch too, where the CAs are beside the point). `private_ca_keys`: the settings that
// name a private CA for this peer.
std::string untrusted_chain_hint(CURL* h, CURLcode rc, const std::string& ca_file,
                                 const std::string& ca_path, std::string_view private_ca_keys);

}  // namespace nullrelay
