// sink_client: the ceiling of the benchmark sink (tests/sink), measured as the issue asks: a
// trivial libcurl client sending N small messages over ONE reused STARTTLS + AUTH PLAIN
// connection. Prints "name value unit" lines like the other benchmarks.
//
//   sink_client PORT CA_FILE COUNT
#include <curl/curl.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

struct Body {
    const std::string* text;
    size_t pos;
};

size_t read_body(char* out, size_t size, size_t n, void* up) {
    auto* b = static_cast<Body*>(up);
    size_t len = std::min(size * n, b->text->size() - b->pos);
    std::memcpy(out, b->text->data() + b->pos, len);
    b->pos += len;
    return len;
}

double cpu_ms() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: sink_client PORT CA_FILE COUNT\n");
        return 64;
    }
    std::string url = std::string("smtp://localhost:") + argv[1] + "/bench.example.org";
    long count = std::atol(argv[3]);
    std::string text = "From: bench@example.org\r\nTo: r@example.net\r\nSubject: ceiling\r\n\r\n" +
                       std::string(1000, 'x') + "\r\n";

    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL* h = curl_easy_init();
    curl_slist* rcpt = curl_slist_append(nullptr, "<r@example.net>");
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    curl_easy_setopt(h, CURLOPT_CAINFO, argv[2]);
    curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
    curl_easy_setopt(h, CURLOPT_USERPWD, "test:secret");
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, "<bench@example.org>");
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_body);

    double cpu0 = cpu_ms();
    auto t0 = std::chrono::steady_clock::now();
    long connects = 0;
    for (long i = 0; i < count; ++i) {
        Body body{&text, 0};
        curl_easy_setopt(h, CURLOPT_READDATA, &body);
        CURLcode rc = curl_easy_perform(h);
        if (rc != CURLE_OK) {
            std::fprintf(stderr, "sink_client: message %ld: %s\n", i, curl_easy_strerror(rc));
            return 1;
        }
        long n = 0;
        curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &n);
        connects += n;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double cpu = cpu_ms() - cpu0;
    curl_easy_cleanup(h);
    curl_slist_free_all(rcpt);
    std::printf("sink_ceiling_rate %.0f messages/s\n", count / secs);
    std::printf("sink_ceiling_client_cpu %.3f ms/message\n", cpu / count);
    std::printf("sink_ceiling_connections %ld connections\n", connects);
    return 0;
}
