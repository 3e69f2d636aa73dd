#include "nullrelayd/smtp_session.hpp"

#include <curl/curl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include "mail/base64.hpp"
#include "nullrelayd/curl_options.hpp"
#include "nullrelayd/secret_command.hpp"
#include "nullrelayd/trust_anchors.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

SmtpSession::SmtpSession(const Config& config, Smarthost host, Credentials credentials,
                         const std::atomic<bool>* abort_flag)
    : config_(config),
      host_(std::move(host)),
      credentials_(std::move(credentials)),
      abort_flag_(abort_flag) {
    const char* scheme = config.tls == TlsMode::implicit ? "smtps" : "smtp";
    // The URL path is the EHLO name (hostname is validated as a domain when configured).
    url_ = fmt::format("{}://{}:{}/{}", scheme, host_.host, host_.port, config.hostname);
    handle_ = curl_easy_init();
    configure_handle();
}

SmtpSession::~SmtpSession() {
    // Stopping for good (SIGTERM past shutdown_timeout): no polite QUIT to a server that may
    // not answer it.
    if (abort_flag_ && abort_flag_->load()) cut_connection();
    if (handle_) curl_easy_cleanup(handle_);
}

void SmtpSession::disconnect() {
    if (handle_) curl_easy_cleanup(handle_);
    handle_ = curl_easy_init();
    authenticated_ = false;
    capabilities_ = {};
    fetched_secret_.clear();
    configure_handle();
}

void SmtpSession::cut_connection() {
    // libcurl keeps a connection whose reply after the data timed out (or was aborted), and
    // curl_easy_cleanup then sends QUIT and waits for its reply for up to response_timeout,
    // unaffected by the abort flag (research/libcurl-smtp.md §6). Shutting the socket down
    // makes that QUIT fail at once. shutdown() leaves the descriptor to libcurl to close.
    curl_socket_t fd = CURL_SOCKET_BAD;
    if (handle_ && curl_easy_getinfo(handle_, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK &&
        fd != CURL_SOCKET_BAD)
        ::shutdown(fd, SHUT_RDWR);
}

void SmtpSession::configure_handle() {
    CURL* h = handle_;
    curl_easy_setopt(h, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    // TLS policy: never in clear, never unverified, never below TLS 1.2 (tls_min_version).
    curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(
        h, CURLOPT_SSLVERSION,
        static_cast<long>(config_.tls_min_version == TlsVersion::v1_3 ? CURL_SSLVERSION_TLSv1_3
                                                                      : CURL_SSLVERSION_TLSv1_2));
    // A pin is checked in addition to the CA and host name, not instead of them.
    if (std::string pins = curl_pinned_public_key(config_); !pins.empty())
        curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, pins.c_str());  // libcurl copies strings
    if (!config_.tls_client_cert.empty()) {
        curl_easy_setopt(h, CURLOPT_SSLCERT, config_.tls_client_cert.c_str());
        curl_easy_setopt(h, CURLOPT_SSLKEY, config_.tls_client_key.c_str());
    }
    set_trust_anchors(h, config_.tls_ca_file, config_.tls_ca_path);
    if (credentials_.configured()) {
        // The secret itself is set by apply_secret() before each transfer.
        curl_easy_setopt(h, CURLOPT_USERNAME, credentials_.user.c_str());
        curl_easy_setopt(h, CURLOPT_SASL_IR, 1L);
        if (std::string opts = curl_login_options(config_); !opts.empty())
            curl_easy_setopt(h, CURLOPT_LOGIN_OPTIONS, opts.c_str());
    }
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
    // Bounded waits: connect (which covers greeting, EHLO, STARTTLS, AUTH), every reply, and
    // a body upload that stops moving.
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(config_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT,
                     static_cast<long>(config_.response_timeout.count()));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(config_.response_timeout.count()));
    // Reuse a connection only while the smarthost will still take it (stale-421 hazard).
    curl_easy_setopt(h, CURLOPT_MAXAGE_CONN, static_cast<long>(config_.max_connection_age.count()));
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // the debug callback is only called with it
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, &SmtpSession::on_debug);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, this);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, &SmtpSession::on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, this);
    curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, &SmtpSession::on_prereq);
    curl_easy_setopt(h, CURLOPT_PREREQDATA, this);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &SmtpSession::on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, this);
}

std::string SmtpSession::error_text(int curl_code, const char* errbuf) {
    const auto rc = static_cast<CURLcode>(curl_code);
    return (errbuf[0] ? one_line(errbuf) : std::string(curl_easy_strerror(rc))) +
           untrusted_chain_hint(handle_, rc, config_.tls_ca_file, config_.tls_ca_path,
                                "tls_ca_file or tls_ca_path");
}

int SmtpSession::on_debug(CURL*, int type, char* data, size_t size, void* p) {
    auto* self = static_cast<SmtpSession*>(p);
    std::string_view text(data, size);
    if (type == CURLINFO_HEADER_OUT) {
        if (text.starts_with("QUIT")) self->quit_sent_ = true;
        self->transcript_.command_sent(text);
    } else if (type == CURLINFO_HEADER_IN) {
        bool before = self->transcript_.saw_greeting();
        self->transcript_.reply_line(text);
        if (!before && self->transcript_.saw_greeting()) self->authenticated_ = false;
        if (self->transcript_.saw_auth_success()) self->authenticated_ = true;
    }
    return 0;
}

size_t SmtpSession::on_read(char* buffer, size_t size, size_t count, void* p) {
    auto* self = static_cast<SmtpSession*>(p);
    ssize_t n;
    do
        n = ::pread(self->message_->content_fd, buffer, size * count,
                    static_cast<off_t>(self->offset_));
    while (n < 0 && errno == EINTR);
    if (n < 0) return CURL_READFUNC_ABORT;
    self->offset_ += static_cast<std::uint64_t>(n);
    return static_cast<size_t>(n);
}

// Called after the connection is set up (greeting, EHLO, STARTTLS, AUTH) and before MAIL.
int SmtpSession::on_prereq(void* p, char*, char*, int, int) {
    auto* self = static_cast<SmtpSession*>(p);
    if (self->credentials_.configured() && !self->authenticated_) {
        self->refused_without_auth_ = true;
        return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
}

int SmtpSession::on_progress(void* p, long long, long long, long long, long long) {
    auto* self = static_cast<SmtpSession*>(p);
    // libcurl sends QUIT inside curl_easy_perform only when it closes the connection after a
    // failure, and then waits up to response_timeout for the reply: nothing to wait for, as
    // the transfer's result is settled (the wait's own result is ignored by libcurl).
    if (self->quit_sent_) return 1;
    return self->abort_flag_ && self->abort_flag_->load() ? 1 : 0;
}

std::string SmtpSession::apply_secret() {
    if (!credentials_.configured()) return "";
    if (credentials_.oauth2) {
        auto token = credentials_.oauth2->access_token();
        if (!token) return token.error().message;
        // A new token is a new connection: libcurl matches connections by their credentials.
        bearer_ = std::move(*token);
        curl_easy_setopt(handle_, CURLOPT_XOAUTH2_BEARER, bearer_.c_str());
        return "";
    }
    const std::string* secret = &credentials_.password;
    if (!credentials_.command.empty()) {
        auto now = std::chrono::steady_clock::now();
        if (fetched_secret_.empty() || now - fetched_at_ >= config_.max_connection_age) {
            auto got = run_secret_command(credentials_.command);
            if (!got) return got.error().message;
            fetched_secret_ = std::move(*got);
            fetched_at_ = now;
        }
        secret = &fetched_secret_;
    }
    // A changed secret is part of libcurl's connection match: a new token, a new connection.
    if (credentials_.mechanism == AuthMechanism::xoauth2)
        curl_easy_setopt(handle_, CURLOPT_XOAUTH2_BEARER, secret->c_str());
    else
        curl_easy_setopt(handle_, CURLOPT_PASSWORD, secret->c_str());
    return "";
}

SmtpAttempt SmtpSession::perform(const OutgoingMessage& m, bool fresh_connection, int& code) {
    SmtpAttempt a;
    a.relay = fmt::format("{}:{}", host_.host, host_.port);
    if (std::string why = apply_secret(); !why.empty()) {
        code = CURLE_LOGIN_DENIED;  // deferred, and the next smarthost may be tried
        a.error = why;
        return a;
    }
    std::unique_ptr<curl_slist, SlistDeleter> rcpts;
    for (const auto& r : m.recipients) {
        curl_slist* l = curl_slist_append(rcpts.get(), ("<" + r + ">").c_str());
        if (!l) {
            // Out of memory: a list without this recipient would report the others for it.
            code = CURLE_OUT_OF_MEMORY;
            a.error = "out of memory while building the recipient list";
            return a;
        }
        rcpts.release();
        rcpts.reset(l);
    }
    transcript_.clear();
    message_ = &m;
    offset_ = m.content_offset;
    refused_without_auth_ = false;
    quit_sent_ = false;
    std::string from = "<" + m.sender + ">";
    char errbuf[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(handle_, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(handle_, CURLOPT_MAIL_RCPT, rcpts.get());
    curl_easy_setopt(handle_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(m.size));
    curl_easy_setopt(handle_, CURLOPT_FRESH_CONNECT, fresh_connection ? 1L : 0L);
    CURLcode rc = curl_easy_perform(handle_);
    curl_easy_setopt(handle_, CURLOPT_MAIL_RCPT, static_cast<curl_slist*>(nullptr));
    curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, static_cast<char*>(nullptr));

    code = rc;
    a.completed = rc == CURLE_OK;
    a.refused_without_auth = refused_without_auth_;
    if (refused_without_auth_)
        a.error =
            "the smarthost did not authenticate us (no AUTH offered or accepted); "
            "not sending without it";
    else if (rc == CURLE_ABORTED_BY_CALLBACK && abort_flag_ && abort_flag_->load())
        a.error = "abandoned: nullrelayd is stopping";
    else if (rc != CURLE_OK)
        a.error = error_text(rc, errbuf);
    char* ip = nullptr;
    long port = 0;
    curl_easy_getinfo(handle_, CURLINFO_PRIMARY_IP, &ip);
    curl_easy_getinfo(handle_, CURLINFO_PRIMARY_PORT, &port);
    // host[ip]:port once connected (Postfix's form); host:port when no address was reached.
    if (ip && *ip) a.relay = fmt::format("{}[{}]:{}", host_.host, ip, port ? port : host_.port);
    // A token that worked once deserves a new one when it is refused later (oauth2_tokens.hpp).
    if (credentials_.oauth2 && transcript_.saw_auth_success())
        credentials_.oauth2->accepted(bearer_);
    a.exchanges = transcript_.exchanges();
    a.transcript = transcript_.redacted();
    if (SmtpCapabilities offered = capabilities_from(a.exchanges); offered.known) {
        capabilities_ = offered;  // a new connection: recorded for it
        a.capabilities = offered.summary();
    }
    message_ = nullptr;
    if (rc != CURLE_OK) {
        // After any failure the connection's state is unknown (or it was never authenticated):
        // start the next message on a new one. A clean rejection gets a polite QUIT; after a
        // timeout, an abort or a broken connection there is no reply to wait for.
        if (rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_ABORTED_BY_CALLBACK ||
            rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING)
            cut_connection();
        disconnect();
    }
    return a;
}

namespace {

size_t discard(char*, size_t size, size_t count, void*) {
    return size * count;  // NOOP's reply text: the transcript has it
}

}  // namespace

SmtpProbe SmtpSession::probe() {
    SmtpProbe p;
    p.relay = fmt::format("{}:{}", host_.host, host_.port);
    if (std::string why = apply_secret(); !why.empty()) {
        p.error = why;
        return p;
    }
    transcript_.clear();
    refused_without_auth_ = false;
    quit_sent_ = false;
    char errbuf[CURL_ERROR_SIZE] = {};
    // Research (libcurl-smtp.md §8): a custom request without upload or recipients is sent
    // as it is after the connection is set up; the prerequisite check (AUTH) still applies.
    curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(handle_, CURLOPT_UPLOAD, 0L);
    curl_easy_setopt(handle_, CURLOPT_CUSTOMREQUEST, "NOOP");
    curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, &discard);
    curl_easy_setopt(handle_, CURLOPT_FRESH_CONNECT, 1L);
    CURLcode rc = curl_easy_perform(handle_);
    curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, static_cast<char*>(nullptr));
    curl_easy_setopt(handle_, CURLOPT_CUSTOMREQUEST, static_cast<char*>(nullptr));
    curl_easy_setopt(handle_, CURLOPT_UPLOAD, 1L);
    char* ip = nullptr;
    long port = 0;
    curl_easy_getinfo(handle_, CURLINFO_PRIMARY_IP, &ip);
    curl_easy_getinfo(handle_, CURLINFO_PRIMARY_PORT, &port);
    if (ip && *ip) p.relay = fmt::format("{}[{}]:{}", host_.host, ip, port ? port : host_.port);
    const auto& exchanges = transcript_.exchanges();
    p.capabilities = capabilities_from(exchanges);
    p.authenticated = authenticated_;
    p.tls = config_.tls == TlsMode::implicit;
    for (const auto& ex : exchanges)
        if (istarts_with(ex.command, "STARTTLS") && ex.code == 220) p.tls = true;
    p.transcript = transcript_.redacted();
    p.ok = rc == CURLE_OK && !refused_without_auth_;
    if (refused_without_auth_)
        p.error =
            "the smarthost did not authenticate us (no AUTH offered or accepted); nullrelay "
            "would not send mail through it";
    else if (rc != CURLE_OK)
        p.error = error_text(rc, errbuf);
    disconnect();
    return p;
}

SmtpAttempt SmtpSession::send(const OutgoingMessage& m) {
    int code = CURLE_OK;
    SmtpAttempt a = perform(m, false, code);
    if (a.completed || (abort_flag_ && abort_flag_->load())) return a;
    // A reused connection that the server had already closed, or on which it left a stale
    // "421 idle timeout", fails at MAIL: libcurl takes the 421 as MAIL's reply. Try once more
    // on a fresh connection (research/libcurl-smtp.md §3). perform() already dropped the old.
    bool reused = a.exchanges.empty() || a.exchanges.front().command.starts_with("MAIL FROM");
    bool mail_not_accepted =
        a.exchanges.empty() || a.exchanges.front().code == 421 || a.exchanges.front().code == 0;
    bool transport_error =
        code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING;
    if (reused && mail_not_accepted && transport_error) {
        log_info("{}: the reused connection was stale ({}); retrying on a fresh one", a.relay,
                 a.exchanges.empty() ? a.error : one_line(a.exchanges.front().reply));
        a = perform(m, true, code);
    }
    if (!a.completed && credentials_.oauth2 && !(abort_flag_ && abort_flag_->load()))
        a = retry_refused_token(m, std::move(a), code);
    return a;
}

namespace {

// The reply that refused our AUTH: 535, or a 334 challenge where 235 was due (Gmail sends its
// error as a base64 JSON challenge; libcurl gives up on it).
const SmtpExchange* refused_auth(const SmtpAttempt& a) {
    for (const auto& e : a.exchanges)
        if (e.command.starts_with("AUTH ") && (e.code == 535 || e.code == 334)) return &e;
    return nullptr;
}

// What the smarthost said, for mailq: a 334 challenge decoded.
std::string refusal_text(const SmtpExchange& e) {
    if (e.code != 334) return e.reply;
    auto said = base64_decode(trim(std::string_view(e.reply).substr(3)));
    return said ? one_line(fmt::format("334 {}", *said)) : e.reply;
}

}  // namespace

SmtpAttempt SmtpSession::retry_refused_token(const OutgoingMessage& m, SmtpAttempt a, int& code) {
    const SmtpExchange* auth = refused_auth(a);
    if (!auth) return a;
    std::string what = "the smarthost refused the OAuth2 access token";
    if (credentials_.oauth2->refused(bearer_)) {
        log_info("{}: {} ({}); trying once more with a new one", a.relay, what,
                 refusal_text(*auth));
        a = perform(m, true, code);
        auth = refused_auth(a);
        if (!auth) return a;  // delivered, or another failure that speaks for itself
        what = "the smarthost refused a new OAuth2 access token too";
    }
    // decide_outcome() adds the last reply when it is an error: say it only when it will not.
    const bool said_later = auth == &a.exchanges.back() && auth->code >= 400;
    a.error = said_later ? what : fmt::format("{}: {}", what, refusal_text(*auth));
    return a;
}

}  // namespace nullrelay
