// sink_client: the ceiling of the benchmark sink (tests/sink), measured as the issue asks: a
// trivial libcurl client sending N small messages over ONE reused STARTTLS + AUTH PLAIN
// connection, or with CONNECTIONS given, over that many (one thread and one reused handle
// each, as nullrelayd's delivery threads do). Prints "name value unit" lines like the other
// benchmarks; with CONNECTIONS the names end in ".<CONNECTIONS>".
//
//   sink_client PORT CA_FILE COUNT [CONNECTIONS]
#include <curl/curl.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

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

struct Client {
    std::string url, ca;
    const std::string* text;
    long count = 0;
    long connects = 0;
    bool ok = true;
};

void run(Client& c) {
    CURL* h = curl_easy_init();
    curl_slist* rcpt = curl_slist_append(nullptr, "<r@example.net>");
    curl_easy_setopt(h, CURLOPT_URL, c.url.c_str());
    curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    curl_easy_setopt(h, CURLOPT_CAINFO, c.ca.c_str());
    curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
    curl_easy_setopt(h, CURLOPT_USERPWD, "test:secret");
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, "<bench@example.org>");
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_body);
    for (long i = 0; i < c.count; ++i) {
        Body body{c.text, 0};
        curl_easy_setopt(h, CURLOPT_READDATA, &body);
        CURLcode rc = curl_easy_perform(h);
        if (rc != CURLE_OK) {
            std::fprintf(stderr, "sink_client: message %ld: %s\n", i, curl_easy_strerror(rc));
            c.ok = false;
            break;
        }
        long n = 0;
        curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &n);
        c.connects += n;
    }
    curl_easy_cleanup(h);
    curl_slist_free_all(rcpt);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4 && argc != 5) {
        std::fprintf(stderr, "usage: sink_client PORT CA_FILE COUNT [CONNECTIONS]\n");
        return 64;
    }
    std::string url = std::string("smtp://localhost:") + argv[1] + "/bench.example.org";
    long count = std::atol(argv[3]);
    long conns = argc == 5 ? std::max(1L, std::atol(argv[4])) : 1;
    std::string suffix = argc == 5 ? "." + std::to_string(conns) : "";
    std::string text = "From: bench@example.org\r\nTo: r@example.net\r\nSubject: ceiling\r\n\r\n" +
                       std::string(1000, 'x') + "\r\n";

    curl_global_init(CURL_GLOBAL_DEFAULT);
    std::vector<Client> clients(static_cast<size_t>(conns));
    for (long i = 0; i < conns; ++i) {
        Client& c = clients[static_cast<size_t>(i)];
        c.url = url;
        c.ca = argv[2];
        c.text = &text;
        c.count = count / conns + (i < count % conns ? 1 : 0);
    }
    double cpu0 = cpu_ms();
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (auto& c : clients)
        threads.emplace_back([&c] { run(c); });
    for (auto& t : threads)
        t.join();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double cpu = cpu_ms() - cpu0;
    long connects = 0;
    for (auto& c : clients) {
        if (!c.ok) return 1;
        connects += c.connects;
    }
    std::printf("sink_ceiling_rate%s %.0f messages/s\n", suffix.c_str(), count / secs);
    std::printf("sink_ceiling_client_cpu%s %.3f ms/message\n", suffix.c_str(), cpu / count);
    std::printf("sink_ceiling_connections%s %ld connections\n", suffix.c_str(), connects);
    return 0;
}
