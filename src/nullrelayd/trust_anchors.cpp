#include "nullrelayd/trust_anchors.hpp"

#include <fmt/format.h>

namespace nullrelay {

namespace {

const char* or_null(const std::string& s) {
    return s.empty() ? nullptr : s.c_str();
}

// libcurl's compiled-in CApath, "" when it has none.
std::string system_ca_path(CURL* h) {
    char* path = nullptr;  // CURLINFO_CAPATH: the compiled-in default, not the option
    if (curl_easy_getinfo(h, CURLINFO_CAPATH, &path) != CURLE_OK || !path) return "";
    return path;
}

}  // namespace

void set_trust_anchors(CURL* h, const std::string& ca_file, const std::string& ca_path) {
    if (!ca_file.empty() || !ca_path.empty()) {
        // Only these: a CAINFO alone would be combined with the compiled-in CApath.
        curl_easy_setopt(h, CURLOPT_CAINFO, or_null(ca_file));
        curl_easy_setopt(h, CURLOPT_CAPATH, or_null(ca_path));
        return;
    }
    if (!system_ca_path(h).empty())
        curl_easy_setopt(h, CURLOPT_CAINFO, static_cast<char*>(nullptr));
}

std::string untrusted_chain_hint(CURL* h, CURLcode rc, const std::string& ca_file,
                                 const std::string& ca_path, std::string_view private_ca_keys) {
    // OpenSSL's verdict on the chain (X509_V_ERR_*); libcurl records 1 (unspecified) when
    // only the host name did not match.
    long chain = 0;
    curl_easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT, &chain);
    if (rc != CURLE_SSL_CACERT_BADFILE && !(rc == CURLE_PEER_FAILED_VERIFICATION && chain > 1))
        return "";
    std::string what;
    if (!ca_file.empty()) what = "the CAs in " + ca_file;
    if (!ca_path.empty())
        what += (what.empty() ? "the CAs in " : " and in ") + ca_path + " (by hash)";
    if (what.empty()) {
        const std::string system = system_ca_path(h);
        what = fmt::format("{}; {} for a private CA",
                           system.empty() ? std::string("libcurl's default CAs")
                                          : "the system's CAs in " + system + " (by hash)",
                           private_ca_keys);
    }
    return " (trusted: " + what + ")";
}

}  // namespace nullrelay
