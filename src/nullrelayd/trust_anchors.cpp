#include "nullrelayd/trust_anchors.hpp"

namespace nullrelay {

namespace {

const char* or_null(const std::string& s) {
    return s.empty() ? nullptr : s.c_str();
}

}  // namespace

void set_trust_anchors(CURL* h, const std::string& ca_file, const std::string& ca_path) {
    if (!ca_file.empty() || !ca_path.empty()) {
        // Only these: a CAINFO alone would be combined with the compiled-in CApath.
        curl_easy_setopt(h, CURLOPT_CAINFO, or_null(ca_file));
        curl_easy_setopt(h, CURLOPT_CAPATH, or_null(ca_path));
        return;
    }
    char* system_path = nullptr;  // CURLINFO_CAPATH: the compiled-in default, not the option
    if (curl_easy_getinfo(h, CURLINFO_CAPATH, &system_path) == CURLE_OK && system_path &&
        *system_path)
        curl_easy_setopt(h, CURLOPT_CAINFO, static_cast<char*>(nullptr));
}

}  // namespace nullrelay
