#include "nullrelayd/https_client.hpp"

#include <curl/curl.h>
#include <string.h>

#include <fmt/format.h>

#include "nullrelayd/trust_anchors.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

bool unreserved(unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

struct Body {
    std::string text;
    bool too_large = false;
};

size_t on_write(char* data, size_t size, size_t count, void* p) {
    auto* body = static_cast<Body*>(p);
    size_t n = size * count;
    if (body->text.size() + n > kMaxHttpReply) {
        body->too_large = true;
        return 0;  // libcurl stops with CURLE_WRITE_ERROR
    }
    body->text.append(data, n);
    return n;
}

struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct EasyDeleter {
    void operator()(CURL* h) const { curl_easy_cleanup(h); }
};

class CurlHttpsClient final : public HttpsClient {
  public:
    explicit CurlHttpsClient(const Config& c)
        : ca_file_(c.oauth2.tls_ca_file),
          ca_path_(c.oauth2.tls_ca_path),
          tls13_(c.tls_min_version == TlsVersion::v1_3),
          connect_timeout_(c.connect_timeout.count()) {}

    Result<HttpReply> post_form(const std::string& url, const Form& form) override {
        // A new handle per request: tokens are asked for rarely, and nothing (connection,
        // cookie) is carried from one request to the next.
        std::unique_ptr<CURL, EasyDeleter> handle(curl_easy_init());
        if (!handle) return Error{EX_TEMPFAIL, "out of memory (curl_easy_init)"};
        CURL* h = handle.get();
        std::string fields = form_encode(form);
        Body body;
        char errbuf[CURL_ERROR_SIZE] = {};
        std::unique_ptr<curl_slist, SlistDeleter> headers(
            curl_slist_append(nullptr, "Accept: application/json"));
        curl_easy_setopt(h, CURLOPT_URL, url.c_str());
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        // Threat: a secret sent in clear or to someone else. https only, verified, no
        // redirect (a redirect would carry the form elsewhere).
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(
            h, CURLOPT_SSLVERSION,
            static_cast<long>(tls13_ ? CURL_SSLVERSION_TLSv1_3 : CURL_SSLVERSION_TLSv1_2));
        set_trust_anchors(h, ca_file_, ca_path_);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, connect_timeout_);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, 2 * connect_timeout_);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "nullrelay");
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, fields.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(fields.size()));
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
        CURLcode rc = curl_easy_perform(h);
        // The form holds the client secret or a refresh token: do not leave it in the heap.
        explicit_bzero(fields.data(), fields.size());
        if (rc != CURLE_OK) {
            std::string why =
                body.too_large
                    ? fmt::format("the reply is larger than {} bytes", kMaxHttpReply)
                    : one_line(errbuf[0] ? errbuf : curl_easy_strerror(rc)) +
                          untrusted_chain_hint(h, rc, ca_file_, ca_path_,
                                               "oauth2_tls_ca_file or oauth2_tls_ca_path");
            return Error{EX_TEMPFAIL, fmt::format("cannot reach {}: {}", url, why)};
        }
        HttpReply reply;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply.status);
        reply.body = std::move(body.text);
        return reply;
    }

  private:
    std::string ca_file_, ca_path_;
    bool tls13_;
    long connect_timeout_;
};

}  // namespace

std::unique_ptr<HttpsClient> make_https_client(const Config& config) {
    return std::make_unique<CurlHttpsClient>(config);
}

std::string form_encode(const Form& form) {
    std::string out;
    for (const auto& [name, value] : form) {
        if (!out.empty()) out += '&';
        for (const std::string* s : {&name, &value}) {
            for (unsigned char c : *s)
                out += unreserved(c) ? std::string(1, static_cast<char>(c))
                                     : fmt::format("%{:02X}", c);
            if (s == &name) out += '=';
        }
    }
    return out;
}

std::optional<std::string> form_decode(std::string_view in) {
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') {
            out += ' ';
        } else if (in[i] == '%') {
            if (i + 2 >= in.size() || !std::isxdigit(static_cast<unsigned char>(in[i + 1])) ||
                !std::isxdigit(static_cast<unsigned char>(in[i + 2])))
                return std::nullopt;
            out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += in[i];
        }
    }
    return out;
}

}  // namespace nullrelay
