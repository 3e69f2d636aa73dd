#include "nullrelayd/connection_check.hpp"

#include <cstdio>

#include <fmt/format.h>

#include "nullrelayd/smtp_session.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

// The smarthost's last refusal in the dialogue ("535 5.7.8 ..."), which libcurl's error
// text leaves out.
std::string last_refusal(const std::string& transcript) {
    std::string found;
    for (std::string_view line : split(transcript, '\n')) {
        if (line.starts_with("< ")) line.remove_prefix(2);
        if (line.size() >= 3 && (line[0] == '4' || line[0] == '5')) found = std::string(line);
    }
    return found;
}

}  // namespace

int check_connections(const Config& config, const Credentials& credentials, bool verbose) {
    if (config.smarthosts.empty()) {
        std::printf("no smarthost is set: nothing to connect to\n");
        return EX_UNAVAILABLE;
    }
    int rc = EX_OK;
    for (const Smarthost& host : config.smarthosts) {
        SmtpSession session(config, host, credentials, nullptr);
        SmtpProbe p = session.probe();
        const std::string name = fmt::format("{}:{}", host.host, host.port);
        if (p.ok) {
            std::string auth = credentials.configured()
                                   ? fmt::format("authenticated as {}", credentials.user)
                                   : std::string("no credentials configured");
            std::printf("smarthost %s: logged in at %s (%s, %s); no mail sent\n", name.c_str(),
                        p.relay.c_str(), p.tls ? "TLS" : "no TLS", auth.c_str());
            std::printf("  offers %s\n", p.capabilities.summary().c_str());
            std::printf(
                "  8-bit mail goes as 7-bit MIME all the same: libcurl cannot declare "
                "BODY=8BITMIME\n");
        } else {
            rc = EX_UNAVAILABLE;
            std::string refusal = last_refusal(p.transcript);
            std::printf("smarthost %s: cannot log in: %s%s\n", name.c_str(), p.error.c_str(),
                        refusal.empty() ? "" : fmt::format(" ({})", refusal).c_str());
            if (p.capabilities.known)
                std::printf("  offers %s\n", p.capabilities.summary().c_str());
        }
        if (verbose)
            for (std::string_view line : split(p.transcript, '\n'))
                if (!line.empty())
                    std::printf("  %.*s\n", static_cast<int>(line.size()), line.data());
    }
    std::fflush(stdout);
    return rc;
}

}  // namespace nullrelay
