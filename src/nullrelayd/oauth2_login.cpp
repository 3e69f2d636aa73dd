#include "nullrelayd/oauth2_login.hpp"

#include <openssl/evp.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <fmt/format.h>

#include "mail/base64.hpp"
#include "nullrelayd/oauth2_reply.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

constexpr std::string_view kDeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";

// The token reply of a finished login: it must carry a refresh token, which is saved.
Status save_login(const Config& config, const OAuth2State& state, const TokenReply& reply,
                  LoginIo& io) {
    if (reply.refresh_token.empty())
        return Error{EX_PROTOCOL,
                     fmt::format("the token endpoint issued no refresh token; the scope must "
                                 "ask for one (Microsoft: add offline_access to oauth2_scope '{}')",
                                 config.oauth2.scope)};
    auto lock = state.lock();
    if (!lock) return lock.error();
    if (Status st = state.save_refresh_token(reply.refresh_token); !st) return st;
    const auto now = static_cast<std::int64_t>(io.clock());
    OAuth2Status status = state.read_status();
    status.refresh_saved = now;
    status.refresh_expires =
        reply.refresh_token_expires_in > 0 ? now + reply.refresh_token_expires_in : 0;
    status.error_at = 0;
    status.error.clear();
    if (Status st = state.write_status(status); !st) return st;
    io.print(fmt::format(
        "Signed in. The refresh token is saved in {} (mode 0600, owner uid {});\n"
        "nullrelayd uses it from its next delivery on. `nullrelay oauth2 status` shows it.\n",
        state.refresh_token_path(), ::geteuid()));
    return ok_status();
}

Error refused(const std::string& what, const TokenReply& reply) {
    return Error{EX_NOPERM, fmt::format("{}: {}", what,
                                        describe_oauth2_error(reply.error, reply.description))};
}

// RFC 8628: ask for a code, show it, poll the token endpoint until the admin has signed in.
Status device_login(const Config& config, const std::string& secret, HttpsClient& http,
                    const OAuth2State& state, LoginIo& io) {
    const OAuth2Config& o = config.oauth2;
    auto sent = http.post_form(o.device_url, {{"client_id", o.client_id}, {"scope", o.scope}});
    if (!sent) return sent.error();
    auto device = parse_device_reply(*sent);
    if (!device)
        return Error{EX_PROTOCOL, fmt::format("the device authorization endpoint {} answered {}",
                                              o.device_url, device.error().message)};
    if (!device->error.empty())
        return Error{EX_NOPERM,
                     fmt::format("the device authorization endpoint {} refused: {}", o.device_url,
                                 describe_oauth2_error(device->error, device->description))};
    io.print(
        fmt::format("To let nullrelay send mail as {}, open on any device\n\n    {}\n\n"
                    "and enter the code\n\n    {}\n\n",
                    config.auth_user, device->verification_uri, device->user_code));
    if (!device->verification_uri_complete.empty())
        io.print(fmt::format("(or open {} directly).\n", device->verification_uri_complete));
    io.print(fmt::format("The code is valid for {} minutes. Waiting for the sign-in...\n",
                         (device->expires_in + 59) / 60));

    const double deadline = io.clock() + static_cast<double>(device->expires_in);
    std::int64_t interval = device->interval;
    Form form = {{"grant_type", std::string(kDeviceGrant)}, {"device_code", device->device_code}};
    for (auto& field : client_fields(o, secret))
        form.push_back(std::move(field));
    for (;;) {
        if (io.clock() >= deadline)
            return Error{EX_TEMPFAIL,
                         "the code expired before the sign-in was done; run "
                         "`nullrelay oauth2 login` again"};
        io.sleep(std::chrono::seconds(interval));
        auto polled = http.post_form(o.token_url, form);
        if (!polled) return polled.error();
        auto reply = parse_token_reply(*polled);
        if (!reply)
            return Error{EX_PROTOCOL, fmt::format("the token endpoint {} answered {}", o.token_url,
                                                  reply.error().message)};
        if (reply->error == "authorization_pending") continue;
        if (reply->error == "slow_down") {  // RFC 8628 3.5: five seconds more from now on
            interval += 5;
            continue;
        }
        if (reply->error == "expired_token")
            return Error{EX_TEMPFAIL,
                         "the code expired before the sign-in was done; run "
                         "`nullrelay oauth2 login` again"};
        if (reply->error == "access_denied")
            return Error{EX_NOPERM, "the sign-in was declined (access_denied)"};
        if (!reply->error.empty()) return refused("the token endpoint refused the sign-in", *reply);
        return save_login(config, state, *reply, io);
    }
}

// RFC 6749 4.1 with RFC 7636: print the address, take back the code, trade it for tokens.
Status code_login(const Config& config, const std::string& secret, HttpsClient& http,
                  const OAuth2State& state, LoginIo& io) {
    const OAuth2Config& o = config.oauth2;
    const std::string verifier = random_urlsafe();
    const std::string expected_state = random_urlsafe(16);
    io.print(fmt::format(
        "Open this address in a browser on any machine, sign in as {} and allow access:\n\n"
        "    {}\n\n"
        "The browser is then sent to {}?code=... Without a web server there the page does not\n"
        "load; that is expected. Copy the whole address from the browser's address bar (or just\n"
        "the value of code=) and paste it here, then press Enter:\n",
        config.auth_user, authorization_url(config, pkce_challenge(verifier), expected_state),
        o.redirect_uri));
    auto line = io.read_line();
    if (!line) return Error{EX_NOINPUT, "no answer pasted (end of input)"};
    auto answer = parse_pasted_answer(*line);
    if (!answer) return answer.error();
    if (answer->whole_address && answer->state != expected_state)
        return Error{EX_DATAERR,
                     "the address pasted is not from this login (its state= does "
                     "not match); paste the one the browser shows after this sign-in"};
    Form form = {{"grant_type", "authorization_code"},
                 {"code", answer->code},
                 {"redirect_uri", o.redirect_uri},
                 {"code_verifier", verifier}};
    for (auto& field : client_fields(o, secret))
        form.push_back(std::move(field));
    auto sent = http.post_form(o.token_url, form);
    if (!sent) return sent.error();
    auto reply = parse_token_reply(*sent);
    if (!reply)
        return Error{EX_PROTOCOL, fmt::format("the token endpoint {} answered {}", o.token_url,
                                              reply.error().message)};
    if (!reply->error.empty()) return refused("the token endpoint refused the code", *reply);
    return save_login(config, state, *reply, io);
}

}  // namespace

std::string pkce_challenge(std::string_view verifier) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(verifier.data(), verifier.size(), digest, &size, EVP_sha256(), nullptr);
    return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), size));
}

std::string random_urlsafe(size_t bytes) {
    std::string raw(bytes, '\0');
    size_t got = 0;
    while (got < bytes) {
        ssize_t n = ::getrandom(raw.data() + got, bytes - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) std::abort();  // no randomness: nothing safe to do (Linux 3.17+ has it)
        got += static_cast<size_t>(n);
    }
    return base64url_encode(raw);
}

std::string authorization_url(const Config& config, std::string_view challenge,
                              std::string_view state) {
    const OAuth2Config& o = config.oauth2;
    // access_type=offline and prompt=consent: Google issues a refresh token only with them.
    const Form query = {{"response_type", "code"},
                        {"client_id", o.client_id},
                        {"redirect_uri", o.redirect_uri},
                        {"scope", o.scope},
                        {"state", std::string(state)},
                        {"code_challenge", std::string(challenge)},
                        {"code_challenge_method", "S256"},
                        {"access_type", "offline"},
                        {"prompt", "consent"},
                        {"login_hint", config.auth_user}};
    const char sep = o.authorize_url.find('?') == std::string::npos ? '?' : '&';
    return o.authorize_url + sep + form_encode(query);
}

Result<PastedAnswer> parse_pasted_answer(std::string_view text) {
    text = trim(text);
    if (text.empty()) return Error{EX_DATAERR, "nothing was pasted"};
    PastedAnswer answer;
    const size_t q = text.find('?');
    answer.whole_address = q != std::string_view::npos || text.starts_with("code=") ||
                           text.find("&code=") != std::string_view::npos;
    if (!answer.whole_address) {
        auto code = form_decode(text);  // a code copied out of an address is still %-encoded
        if (!code || code->empty() || one_line(*code) != *code ||
            code->find(' ') != std::string::npos)
            return Error{EX_DATAERR, "what was pasted is neither an address nor a code"};
        answer.code = std::move(*code);
        return answer;
    }
    std::string_view query = q == std::string_view::npos ? text : text.substr(q + 1);
    query = query.substr(0, query.find('#'));
    std::string error, description;
    for (std::string_view pair : split(query, '&')) {
        size_t eq = pair.find('=');
        auto name = form_decode(pair.substr(0, eq));
        auto value = form_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
        if (!name || !value)
            return Error{EX_DATAERR, "the address pasted is malformed (bad %-escape)"};
        if (*name == "code") answer.code = *value;
        if (*name == "state") answer.state = *value;
        if (*name == "error") error = one_line(*value);
        if (*name == "error_description") description = one_line(*value);
    }
    if (!error.empty())
        return Error{EX_NOPERM, fmt::format("the sign-in failed: {}",
                                            describe_oauth2_error(error, description))};
    if (answer.code.empty())
        return Error{EX_DATAERR,
                     "the address pasted has no code=; paste the address the "
                     "browser shows after the sign-in"};
    return answer;
}

Status oauth2_login(const Config& config, const ClientSecret& client_secret, HttpsClient& http,
                    const OAuth2State& state, LoginIo& io) {
    const OAuth2Config& o = config.oauth2;
    if (o.grant != OAuth2Grant::refresh_token)
        return Error{EX_CONFIG,
                     fmt::format("{}: nothing to log in for: only oauth2_grant = refresh_token "
                                 "needs `nullrelay oauth2 login`",
                                 config.path)};
    if (o.device_url.empty() && o.authorize_url.empty())
        return Error{EX_CONFIG, fmt::format("{}: `nullrelay oauth2 login` needs oauth2_device_url "
                                            "or oauth2_authorize_url",
                                            config.path)};
    if (Status st = state.check_dir(); !st) return st;
    auto secret = client_secret.get();
    if (!secret) return secret.error();
    Status st = o.device_url.empty() ? code_login(config, *secret, http, state, io)
                                     : device_login(config, *secret, http, state, io);
    explicit_bzero(secret->data(), secret->size());
    return st;
}

}  // namespace nullrelay
