#include "nullrelayd/oauth2_command.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "nullrelayd/credentials.hpp"
#include "nullrelayd/oauth2_login.hpp"

namespace nullrelay {

namespace {

int fail(const Error& e) {
    std::fprintf(stderr, "nullrelayd: %s\n", e.message.c_str());
    return e.exit_code;
}

std::string when(std::int64_t t) {
    if (t == 0) return "unknown";
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ::localtime_r(&tt, &tm);
    char out[40];
    std::strftime(out, sizeof out, "%Y-%m-%d %H:%M:%S %Z", &tm);
    return out;
}

std::string_view grant_key(OAuth2Grant g) {
    return g == OAuth2Grant::client_credentials ? "client_credentials" : "refresh_token";
}

int login(const Config& config) {
    auto secret = load_client_secret(config);
    if (!secret) return fail(secret.error());
    auto http = make_https_client(config);
    OAuth2State state(config.oauth2.state_dir);
    LoginIo io{
        .print =
            [](std::string_view text) {
                std::fwrite(text.data(), 1, text.size(), stdout), std::fflush(stdout);
            },
        .read_line = []() -> std::optional<std::string> {
            std::string line;
            if (!std::getline(std::cin, line)) return std::nullopt;
            return line;
        },
        .sleep = [](std::chrono::seconds s) { std::this_thread::sleep_for(s); },
    };
    if (Status st = oauth2_login(config, *secret, *http, state, io); !st) return fail(st.error());
    return EX_OK;
}

int check(const Config& config) {
    auto credentials = load_credentials(config);
    if (!credentials) return fail(credentials.error());
    auto lifetime = credentials->oauth2->check();
    if (!lifetime) return fail(lifetime.error());
    std::printf("OAuth2 (%s): an access token was obtained from %s%s\n",
                std::string(grant_key(config.oauth2.grant)).c_str(),
                config.oauth2.token_url.c_str(),
                *lifetime ? fmt::format(", valid for {} s", *lifetime).c_str() : "");
    return EX_OK;
}

int status(const Config& config) {
    const OAuth2Config& o = config.oauth2;
    OAuth2State state(o.state_dir);
    OAuth2Status s = state.read_status();
    std::string out = fmt::format("grant:          {}\ntoken endpoint: {}\nclient id:      {}\n",
                                  grant_key(o.grant), o.token_url, o.client_id);
    if (o.grant == OAuth2Grant::refresh_token) {
        struct stat st;
        if (::stat(state.refresh_token_path().c_str(), &st) != 0) {
            out += fmt::format("refresh token:  none in {}: run `nullrelay oauth2 login`\n",
                               state.refresh_token_path());
        } else {
            out += fmt::format("refresh token:  {}, saved {}\n", state.refresh_token_path(),
                               when(s.refresh_saved ? s.refresh_saved : st.st_mtim.tv_sec));
            out += fmt::format("                expires {}\n",
                               s.refresh_expires ? when(s.refresh_expires)
                                                 : "when the provider decides (it did not say)");
        }
    }
    if (s.token_obtained)
        out += fmt::format(
            "access token:   last obtained {}, valid until {} (kept in memory "
            "only)\n",
            when(s.token_obtained), when(s.token_expires));
    else
        out += "access token:   none obtained yet\n";
    if (s.error.empty())
        out += "last error:     none\n";
    else
        out += fmt::format("last error:     {}: {}\n", when(s.error_at), s.error);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return s.error.empty() ? EX_OK : EX_TEMPFAIL;
}

}  // namespace

int oauth2_command(const Config& config, std::string_view command) {
    if (!config.oauth2.enabled())
        return fail({EX_CONFIG,
                     fmt::format("{}: OAuth2 is not configured (no oauth2_grant)", config.path)});
    if (command == "login") return login(config);
    if (command == "check") return check(config);
    return status(config);
}

}  // namespace nullrelay
