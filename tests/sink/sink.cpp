// nullrelay_sink: a fast SMTP sink for the benchmarks (bench/run). STARTTLS (OpenSSL directly),
// AUTH PLAIN/LOGIN against one account, counts messages and connections and discards the data,
// so that the relay, not the server, is what a benchmark measures. Not a test server: it
// checks nothing beyond the account (tests/smarthost is the strict one). Loopback only.
//
//   nullrelay_sink --cert F --key F --dir D [--port 0] [--user test] [--password secret]
//                  [--expect N] [--arrivals]
//
// Writes D/port once listening. D/stats.json ({"messages", "connections", "bytes",
// "first_ns", "last_ns"}, CLOCK_REALTIME) is written on SIGTERM/SIGINT (then it exits) and
// whenever the message count reaches --expect N. With --arrivals each accepted message
// appends its arrival time (ns, CLOCK_REALTIME, taken just before the 250) to D/arrivals.
// One thread per connection, blocking I/O: the relay opens few connections.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>

namespace {

struct Options {
    std::string cert, key, dir, user = "test", password = "secret";
    int port = 0;
    long expect = 0;
    bool arrivals = false;
};
Options opt;
SSL_CTX* ctx = nullptr;
std::atomic<long> messages{0}, connections{0}, bytes{0};
std::atomic<long long> first_ns{0}, last_ns{0};
std::mutex arrivals_mutex;
int arrivals_fd = -1;

long long now_ns() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

void write_stats() {
    std::string tmp = opt.dir + "/.stats.tmp", path = opt.dir + "/stats.json";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (!f) return;
    std::fprintf(f,
                 "{\"messages\": %ld, \"connections\": %ld, \"bytes\": %ld, \"first_ns\": %lld, "
                 "\"last_ns\": %lld}\n",
                 messages.load(), connections.load(), bytes.load(), first_ns.load(),
                 last_ns.load());
    std::fclose(f);
    std::rename(tmp.c_str(), path.c_str());  // readers never see half a file
}

std::string b64(const std::string& s) {
    std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(s.data()), (int)s.size());
    out.resize(n);
    return out;
}

// One client connection: a buffered line reader over the socket, then over TLS after STARTTLS.
class Conn {
  public:
    explicit Conn(int fd) : fd_(fd) {}
    ~Conn() {
        if (ssl_) SSL_free(ssl_);
        close(fd_);
    }
    void run();

  private:
    bool fill() {
        if (pos_ > 0) buf_.erase(0, pos_), pos_ = 0;
        char tmp[65536];
        long n = ssl_ ? SSL_read(ssl_, tmp, sizeof tmp) : read(fd_, tmp, sizeof tmp);
        if (n <= 0) return false;
        buf_.append(tmp, n);
        return true;
    }
    bool line(std::string& out) {  // without the CRLF
        for (;;) {
            size_t eol = buf_.find('\n', pos_);
            if (eol != std::string::npos) {
                size_t end = eol > pos_ && buf_[eol - 1] == '\r' ? eol - 1 : eol;
                out.assign(buf_, pos_, end - pos_);
                pos_ = eol + 1;
                return true;
            }
            if (!fill()) return false;
        }
    }
    bool send(const std::string& s) {
        long n = ssl_ ? SSL_write(ssl_, s.data(), (int)s.size()) : write(fd_, s.data(), s.size());
        return n == (long)s.size();
    }
    bool data();  // after 354: discards up to the lone dot
    bool auth(const std::string& args);

    int fd_;
    SSL* ssl_ = nullptr;
    std::string buf_;
    size_t pos_ = 0;
    bool authed_ = false;
};

bool Conn::data() {
    long n = 0;
    for (;;) {
        // Whole lines are skipped in the buffer without copying: the sink must stay cheap.
        size_t eol = buf_.find('\n', pos_);
        if (eol == std::string::npos) {
            if (!fill()) return false;
            continue;
        }
        size_t len = eol + 1 - pos_;
        bool dot = (len == 3 && buf_.compare(pos_, 3, ".\r\n") == 0) ||
                   (len == 2 && buf_.compare(pos_, 2, ".\n") == 0);
        pos_ = eol + 1;
        if (dot) break;
        n += (long)len;
    }
    long long t = now_ns();
    bytes += n;
    long long zero = 0;
    first_ns.compare_exchange_strong(zero, t);
    last_ns = t;
    if (opt.arrivals) {
        std::lock_guard<std::mutex> lock(arrivals_mutex);
        std::string l = std::to_string(t) + "\n";
        (void)!write(arrivals_fd, l.data(), l.size());
    }
    bool ok = send("250 2.0.0 Ok: discarded\r\n");
    if (++messages == opt.expect) write_stats();
    return ok;
}

bool Conn::auth(const std::string& args) {
    std::string mech = args.substr(0, args.find(' '));
    for (auto& c : mech)
        c = (char)toupper((unsigned char)c);
    std::string ir = args.size() > mech.size() ? args.substr(mech.size() + 1) : "";
    bool ok = false;
    if (mech == "PLAIN") {
        if (ir.empty() && (!send("334 \r\n") || !line(ir))) return false;
        ok = ir == b64(std::string(1, '\0') + opt.user + '\0' + opt.password) ||
             ir == b64(opt.user + '\0' + opt.user + '\0' + opt.password);
    } else if (mech == "LOGIN") {
        std::string pw;
        if (ir.empty() && (!send("334 VXNlcm5hbWU6\r\n") || !line(ir))) return false;
        if (!send("334 UGFzc3dvcmQ6\r\n") || !line(pw)) return false;
        ok = ir == b64(opt.user) && pw == b64(opt.password);
    } else {
        return send("504 5.5.4 Unrecognized authentication type\r\n");
    }
    authed_ = ok;
    return send(ok ? "235 2.7.0 Authentication successful\r\n"
                   : "535 5.7.8 Authentication credentials invalid\r\n");
}

void Conn::run() {
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!send("220 sink ESMTP nullrelay_sink\r\n")) return;
    std::string l;
    while (line(l)) {
        std::string verb = l.substr(0, l.find(' ')), args;
        for (auto& c : verb)
            c = (char)toupper((unsigned char)c);
        if (l.size() > verb.size()) args = l.substr(verb.size() + 1);
        bool ok;
        if (verb == "EHLO") {
            ok =
                send(ssl_ ? "250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n"
                          : "250-sink\r\n250-PIPELINING\r\n250 STARTTLS\r\n");
        } else if (verb == "HELO" || verb == "NOOP" || verb == "RSET") {
            ok = send("250 2.0.0 Ok\r\n");
        } else if (verb == "STARTTLS" && !ssl_) {
            if (!send("220 2.0.0 Ready to start TLS\r\n")) return;
            if (pos_ != buf_.size()) return;  // pipelined plaintext after STARTTLS: refuse
            ssl_ = SSL_new(ctx);
            SSL_set_fd(ssl_, fd_);
            if (SSL_accept(ssl_) != 1) return;
            buf_.clear(), pos_ = 0;
            ok = true;
        } else if (verb == "AUTH" && ssl_ && !authed_) {
            ok = auth(args);
        } else if (verb == "MAIL" || verb == "RCPT") {
            ok = send(authed_ ? "250 2.1.0 Ok\r\n" : "530 5.7.0 Authentication required\r\n");
        } else if (verb == "DATA") {
            if (!authed_) {
                ok = send("530 5.7.0 Authentication required\r\n");
            } else {
                ok = send("354 End data with <CR><LF>.<CR><LF>\r\n") && data();
            }
        } else if (verb == "QUIT") {
            send("221 2.0.0 Bye\r\n");
            if (ssl_) SSL_shutdown(ssl_);
            return;
        } else {
            ok = send("502 5.5.2 Command not recognized\r\n");
        }
        if (!ok) return;
    }
}

void usage() {
    std::fprintf(stderr,
                 "usage: nullrelay_sink --cert F --key F --dir D [--port N] [--user U] "
                 "[--password P] [--expect N] [--arrivals]\n");
    std::exit(64);
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage();
            return argv[++i];
        };
        if (a == "--cert")
            opt.cert = value();
        else if (a == "--key")
            opt.key = value();
        else if (a == "--dir")
            opt.dir = value();
        else if (a == "--port")
            opt.port = std::atoi(value().c_str());
        else if (a == "--user")
            opt.user = value();
        else if (a == "--password")
            opt.password = value();
        else if (a == "--expect")
            opt.expect = std::atol(value().c_str());
        else if (a == "--arrivals")
            opt.arrivals = true;
        else
            usage();
    }
    if (opt.cert.empty() || opt.key.empty() || opt.dir.empty()) usage();

    ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, opt.cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, opt.key.c_str(), SSL_FILETYPE_PEM) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    if (opt.arrivals) {
        std::string p = opt.dir + "/arrivals";
        arrivals_fd = open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644);
        if (arrivals_fd < 0) return perror(p.c_str()), 1;
    }

    // SIGTERM/SIGINT go to one thread that writes the stats and exits; SIGPIPE is ignored.
    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([set] {
        int sig;
        sigwait(&set, &sig);
        write_stats();
        std::printf("messages %ld connections %ld bytes %ld\n", messages.load(), connections.load(),
                    bytes.load());
        std::fflush(stdout);
        std::string port = opt.dir + "/port";
        unlink(port.c_str());
        _exit(0);
    }).detach();

    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)opt.port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(s, (sockaddr*)&addr, sizeof addr) != 0 || listen(s, 128) != 0 ||
        getsockname(s, (sockaddr*)&addr, &len) != 0)
        return perror("nullrelay_sink: listen"), 1;
    write_stats();
    std::string tmp = opt.dir + "/.port.tmp", port = opt.dir + "/port";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (!f) return perror(tmp.c_str()), 1;
    std::fprintf(f, "%d\n", ntohs(addr.sin_port));
    std::fclose(f);
    std::rename(tmp.c_str(), port.c_str());

    for (;;) {
        int c = accept(s, nullptr, nullptr);
        if (c < 0) continue;
        ++connections;
        std::thread([c] { Conn(c).run(); }).detach();
    }
}
