// nullrelayd's OAuth2 access tokens (the oauth2_* keys), shared by the delivery threads.
//
// A token comes from the token endpoint by the configured grant: client credentials (the
// client id and secret alone), or the refresh token in oauth2_state_dir (oauth2_state.hpp;
// re-read at each use, so a new `nullrelay oauth2 login` needs no reload; replaced when the
// provider rotates it). It is kept in memory only and used until a quarter of its lifetime (5
// minutes at most) is left, then replaced. When the smarthost refuses one (535, or a 334
// challenge), refused() drops it so that the caller may try once with a new one; a token that
// was itself obtained after a refusal and never accepted is not replaced again at once (a new
// one would fare no better), so a broken setup costs at most two token requests per retry_min.
//
// Failures are EX_TEMPFAIL (the mail is deferred, never bounced) with a reason for mailq that
// says what to do (a revoked refresh token: run `nullrelay oauth2 login`). After a failure the
// endpoint is not asked again for retry_min, unless the refresh token file changed meanwhile.
// The status file records every outcome for `nullrelay oauth2 status`.
//
// Threat: a token or secret in a log line, the queue or an error text. None is ever logged;
// provider texts are scrubbed of them before they are used anywhere.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "nullrelayd/https_client.hpp"
#include "nullrelayd/oauth2_reply.hpp"
#include "nullrelayd/oauth2_state.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"

namespace nullrelay {

// The OAuth2 client secret: fixed (oauth2_client_secret_file, the systemd credential
// oauth2-client-secret) or from oauth2_client_secret_command, run at each token request.
// Neither: a public client (device flow) that sends only its id.
struct ClientSecret {
    std::string value;
    std::vector<std::string> command;
    bool empty() const { return value.empty() && command.empty(); }
    // The secret now ("" for a public client); a failing command is EX_TEMPFAIL.
    Result<std::string> get() const;
};

// Replaces every occurrence of each secret in text by "<redacted>" (a provider may quote
// what it was sent in its error description).
std::string scrub_secrets(std::string text, const std::vector<std::string>& secrets);

// The form fields of a token request that every grant has: client_id, and client_secret
// when there is one (client_secret_post, which Microsoft and Google both accept).
Form client_fields(const OAuth2Config& config, const std::string& secret);

// "OAuth2: ..." from a token endpoint's error reply, with a hint at what to do.
std::string token_error_text(const OAuth2Config& config, const OAuth2State& state,
                             const TokenReply& reply);

class OAuth2Tokens {
  public:
    // `hold_off`: how long a failure is repeated without asking the endpoint (retry_min).
    OAuth2Tokens(OAuth2Config config, ClientSecret secret, std::unique_ptr<HttpsClient> http,
                 std::chrono::seconds hold_off, Clock clock = wall_clock());

    // An access token to log in with now. Errors: EX_TEMPFAIL, a one-line reason.
    Result<std::string> access_token();
    // The smarthost refused `token`. True when trying once more with a new token is worth it.
    bool refused(const std::string& token);
    // The smarthost accepted `token` (a 235): a later refusal of it is worth a new token.
    void accepted(const std::string& token);
    // For `nullrelay check`: a new access token now (cache and hold-off ignored), recorded
    // like any other; returns its lifetime in seconds (0: the endpoint did not say).
    Result<std::int64_t> check();

    const OAuth2Config& config() const { return config_; }
    const OAuth2State& state() const { return state_; }

  private:
    struct Cached {
        std::string token;
        std::int64_t lifetime = 0;  // as the endpoint said (0: it did not)
        double expires_at = 0;
        double refresh_at = 0;             // replace it from then on
        bool after_refusal = false;        // obtained because one was refused, not accepted since
        std::optional<double> refused_at;  // refused although obtained after a refusal
    };
    struct Failure {
        std::string reason;
        double at = 0;
        std::string refresh_version;  // the refresh token file when it failed
    };

    // Asks the endpoint (lock held); records the outcome in the status file.
    Result<Cached> fetch(bool after_refusal);
    void record(const std::function<void(OAuth2Status&)>& change);

    const OAuth2Config config_;
    const ClientSecret secret_;
    const std::unique_ptr<HttpsClient> http_;
    const OAuth2State state_;
    const double hold_off_;
    const Clock clock_;

    std::mutex mutex_;  // one request at a time; the others wait and take its token
    std::optional<Cached> cached_;
    std::optional<Failure> failure_;
    bool next_after_refusal_ = false;
};

}  // namespace nullrelay
