// One connection to one smarthost, kept open across messages (libcurl reuses the connection
// of an easy handle). Enforces the TLS and AUTH policy that libcurl alone does not:
// STARTTLS required (CURLUSESSL_ALL) or implicit TLS, TLS 1.2 at least, peer and host name
// verified, and no MAIL FROM unless AUTH succeeded on this connection when credentials are
// configured (libcurl silently skips AUTH when the server offers none).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "nullrelayd/credentials.hpp"
#include "nullrelayd/smtp_capabilities.hpp"
#include "nullrelayd/smtp_transcript.hpp"
#include "nullrelayd/transport.hpp"

typedef void CURL;

namespace nullrelay {

// What a test session (nullrelay check --connect) found.
struct SmtpProbe {
    bool ok = false;
    std::string error;  // when not ok: why
    std::string relay;  // host[ip]:port
    bool tls = false;   // STARTTLS done, or implicit TLS
    bool authenticated = false;
    SmtpCapabilities capabilities;
    std::string transcript;  // redacted
};

class SmtpSession final : public Transport {
  public:
    SmtpSession(const Config& config, Smarthost host, Credentials credentials,
                const std::atomic<bool>* abort_flag);
    ~SmtpSession() override;
    SmtpSession(const SmtpSession&) = delete;
    SmtpSession& operator=(const SmtpSession&) = delete;

    const Smarthost& host() const { return host_; }
    SmtpAttempt send(const OutgoingMessage& message) override;
    // Forgets the connection (QUIT is sent, bounded by the response timeout).
    void disconnect();
    // Connects and logs in as for mail (greeting, EHLO, TLS, AUTH), says NOOP and sends no
    // mail. The connection is then forgotten.
    SmtpProbe probe();
    // What the smarthost offered on the connection now open (known is false before one).
    const SmtpCapabilities& capabilities() const { return capabilities_; }

  private:
    // One transfer; `code` gets libcurl's result.
    SmtpAttempt perform(const OutgoingMessage& message, bool fresh_connection, int& code);
    void configure_handle();
    // libcurl's error for a failed transfer, one line; a certificate that did not verify
    // also names the CAs trusted.
    std::string error_text(int curl_code, const char* errbuf);
    // Shuts the cached connection's socket down so that closing it cannot block.
    void cut_connection();
    // Puts the password or bearer token on the handle; with password_command, runs it when
    // there is no secret yet or the last one is older than max_connection_age; with
    // oauth2_grant, takes the current access token. "" or an error.
    std::string apply_secret();
    // After a failed attempt with the built-in OAuth2 client: when the smarthost refused the
    // access token (535, or a 334 challenge), one more attempt with a new token, and a
    // reason that says so.
    SmtpAttempt retry_refused_token(const OutgoingMessage& message, SmtpAttempt attempt, int& code);

    static int on_debug(CURL*, int type, char* data, size_t size, void* self);
    static size_t on_read(char* buffer, size_t size, size_t count, void* self);
    static int on_prereq(void* self, char*, char*, int, int);
    static int on_progress(void* self, long long, long long, long long, long long);

    const Config& config_;
    Smarthost host_;
    Credentials credentials_;
    const std::atomic<bool>* abort_flag_;
    CURL* handle_ = nullptr;
    std::string url_;

    // Per transfer.
    SmtpTranscript transcript_;
    const OutgoingMessage* message_ = nullptr;
    std::uint64_t offset_ = 0;
    bool refused_without_auth_ = false;
    bool quit_sent_ = false;  // libcurl is closing the connection
    // Per connection: did AUTH succeed on the connection now open? What did EHLO offer?
    bool authenticated_ = false;
    SmtpCapabilities capabilities_;
    // password_command's last answer; cleared after any failed attempt (a refused token too).
    std::string fetched_secret_;
    std::chrono::steady_clock::time_point fetched_at_;
    // The OAuth2 access token on the handle (oauth2_grant).
    std::string bearer_;
};

}  // namespace nullrelay
