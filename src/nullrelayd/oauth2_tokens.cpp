#include "nullrelayd/oauth2_tokens.hpp"

#include <string.h>

#include <algorithm>

#include <fmt/format.h>

#include "nullrelayd/secret_command.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

constexpr std::int64_t kDefaultLifetime = 3600;  // when the endpoint does not say
constexpr double kMaxMargin = 300;               // replace a token 5 minutes before it expires

std::string_view grant_name(OAuth2Grant g) {
    return g == OAuth2Grant::client_credentials ? "client credentials" : "refresh token";
}

void wipe(Form& form) {
    for (auto& [name, value] : form)
        explicit_bzero(value.data(), value.size());
}

}  // namespace

Result<std::string> ClientSecret::get() const {
    if (!command.empty())
        return run_secret_command(command, kSecretCommandTimeout, "oauth2_client_secret_command");
    return value;
}

std::string scrub_secrets(std::string text, const std::vector<std::string>& secrets) {
    for (const std::string& s : secrets) {
        if (s.size() < 8) continue;  // too short to be a token; would blank out plain words
        for (size_t pos; (pos = text.find(s)) != std::string::npos;)
            text.replace(pos, s.size(), "<redacted>");
    }
    return text;
}

Form client_fields(const OAuth2Config& config, const std::string& secret) {
    Form form{{"client_id", config.client_id}};
    if (!secret.empty()) form.emplace_back("client_secret", secret);
    return form;
}

std::string token_error_text(const OAuth2Config& config, const OAuth2State& state,
                             const TokenReply& reply) {
    const std::string said = describe_oauth2_error(reply.error, reply.description);
    if (reply.error == "invalid_grant" && config.grant == OAuth2Grant::refresh_token)
        return fmt::format(
            "OAuth2: the token endpoint refused the refresh token in {}: {}; it "
            "was revoked or has expired: run `nullrelay oauth2 login`",
            state.refresh_token_path(), said);
    if (reply.error == "invalid_client" || reply.error == "unauthorized_client")
        return fmt::format(
            "OAuth2: the token endpoint refused the client {}: {}; check "
            "oauth2_client_id and the client secret",
            config.client_id, said);
    if (reply.error == "invalid_scope")
        return fmt::format(
            "OAuth2: the token endpoint refused the scope '{}': {}; check "
            "oauth2_scope",
            config.scope, said);
    return fmt::format("OAuth2: the token endpoint {} refused: {}", config.token_url, said);
}

OAuth2Tokens::OAuth2Tokens(OAuth2Config config, ClientSecret secret,
                           std::unique_ptr<HttpsClient> http, std::chrono::seconds hold_off,
                           Clock clock)
    : config_(std::move(config)),
      secret_(std::move(secret)),
      http_(std::move(http)),
      state_(config_.state_dir),
      hold_off_(static_cast<double>(hold_off.count())),
      clock_(std::move(clock)) {}

Result<std::string> OAuth2Tokens::access_token() {
    std::lock_guard lock(mutex_);
    const double now = clock_();
    if (cached_ && now < cached_->refresh_at &&
        (!cached_->refused_at || now - *cached_->refused_at < hold_off_))
        return cached_->token;
    // A failure is repeated for a while rather than asked again for every queued message;
    // a new refresh token (a login) is tried at once.
    if (failure_ && now - failure_->at < hold_off_ &&
        (config_.grant != OAuth2Grant::refresh_token ||
         state_.refresh_token_version() == failure_->refresh_version)) {
        if (cached_ && now < cached_->expires_at && !cached_->refused_at) return cached_->token;
        return Error{EX_TEMPFAIL, failure_->reason};
    }
    auto got = fetch(next_after_refusal_);
    if (!got) {
        // The old token still has time left (it is replaced early): go on with it.
        if (cached_ && now < cached_->expires_at && !cached_->refused_at) return cached_->token;
        return got.error();
    }
    next_after_refusal_ = false;
    cached_ = std::move(*got);
    return cached_->token;
}

bool OAuth2Tokens::refused(const std::string& token) {
    std::lock_guard lock(mutex_);
    if (!cached_ || cached_->token != token) return true;  // already replaced meanwhile
    if (cached_->after_refusal) {
        // A fresh token was refused too: the trouble is not its age. Keep it for hold_off.
        if (!cached_->refused_at) cached_->refused_at = clock_();
        return false;
    }
    explicit_bzero(cached_->token.data(), cached_->token.size());
    cached_.reset();
    next_after_refusal_ = true;
    return true;
}

void OAuth2Tokens::accepted(const std::string& token) {
    std::lock_guard lock(mutex_);
    if (cached_ && cached_->token == token) cached_->after_refusal = false;
}

Result<std::int64_t> OAuth2Tokens::check() {
    std::lock_guard lock(mutex_);
    auto got = fetch(false);
    if (!got) return got.error();
    std::int64_t lifetime = got->lifetime;
    cached_ = std::move(*got);
    return lifetime;
}

void OAuth2Tokens::record(const std::function<void(OAuth2Status&)>& change) {
    OAuth2Status status = state_.read_status();
    change(status);
    if (Status st = state_.write_status(status); !st)
        log_warning("OAuth2: cannot write the status file: {}", st.error().message);
}

Result<OAuth2Tokens::Cached> OAuth2Tokens::fetch(bool after_refusal) {
    std::vector<std::string> secrets;  // what to scrub from any text that leaves here
    auto fail = [&](const std::string& why) -> Error {
        std::string reason = one_line(scrub_secrets(why, secrets));
        failure_ = Failure{reason, clock_(), state_.refresh_token_version()};
        log_warning("{}", reason);
        const std::int64_t at = static_cast<std::int64_t>(clock_());
        record([&](OAuth2Status& s) {
            s.error_at = at;
            s.error = reason;
        });
        return Error{EX_TEMPFAIL, reason};
    };
    // One process at a time spends the refresh token (the provider may rotate it).
    auto lock = state_.lock();
    if (!lock) return fail("OAuth2: " + lock.error().message);

    Form form;
    std::string refresh_token;
    if (config_.grant == OAuth2Grant::refresh_token) {
        auto rt = state_.read_refresh_token();
        if (!rt) return fail("OAuth2: " + rt.error().message);
        refresh_token = std::move(*rt);
        secrets.push_back(refresh_token);
        form = {{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}};
    } else {
        form = {{"grant_type", "client_credentials"}};
    }
    auto secret = secret_.get();
    if (!secret) return fail("OAuth2: " + secret.error().message);
    secrets.push_back(*secret);
    for (auto& field : client_fields(config_, *secret))
        form.push_back(std::move(field));
    form.emplace_back("scope", config_.scope);

    auto http = http_->post_form(config_.token_url, form);
    wipe(form);
    explicit_bzero(secret->data(), secret->size());
    if (!http) return fail("OAuth2: " + http.error().message);
    auto reply = parse_token_reply(*http);
    explicit_bzero(http->body.data(), http->body.size());
    if (!reply)
        return fail(fmt::format("OAuth2: the token endpoint {} answered {}", config_.token_url,
                                reply.error().message));
    if (!reply->error.empty()) return fail(token_error_text(config_, state_, *reply));

    const double now = clock_();
    Cached c;
    c.token = std::move(reply->access_token);
    c.lifetime = reply->expires_in;
    const double lifetime = static_cast<double>(c.lifetime > 0 ? c.lifetime : kDefaultLifetime);
    c.expires_at = now + lifetime;
    c.refresh_at = now + lifetime - std::min(kMaxMargin, lifetime / 4);
    c.after_refusal = after_refusal;

    std::string note;
    const bool rotated = config_.grant == OAuth2Grant::refresh_token &&
                         !reply->refresh_token.empty() && reply->refresh_token != refresh_token;
    if (rotated) {
        Status saved = state_.save_refresh_token(reply->refresh_token);
        if (saved)
            note = "; the provider rotated the refresh token, the new one is saved";
        else
            log_error(
                "OAuth2: the provider rotated the refresh token but it cannot be saved: "
                "{}; fix that and run `nullrelay oauth2 login`",
                saved.error().message);
        explicit_bzero(reply->refresh_token.data(), reply->refresh_token.size());
    }
    explicit_bzero(refresh_token.data(), refresh_token.size());
    failure_.reset();
    const auto at = static_cast<std::int64_t>(now);
    const std::int64_t refresh_life = reply->refresh_token_expires_in;
    record([&](OAuth2Status& s) {
        s.token_obtained = at;
        s.token_expires = at + static_cast<std::int64_t>(lifetime);
        if (rotated) s.refresh_saved = at;
        if (refresh_life > 0) s.refresh_expires = at + refresh_life;
        s.error_at = 0;
        s.error.clear();
    });
    log_info("OAuth2: new access token from {} ({}), valid for {}s{}", config_.token_url,
             grant_name(config_.grant), static_cast<std::int64_t>(lifetime), note);
    return c;
}

}  // namespace nullrelay
