// nullrelayd: picks up submitted mail, queues it durably and relays it to the smarthost.
//
// SECURITY: runs as the unprivileged user nullrelay (systemd User=), never as root in
// production. It alone reads the smarthost credentials. Everything in maildrop/ is hostile
// input written by local users (see pickup.hpp). The only program it runs is the admin's
// password_command, without a shell (secret_command.hpp).
#include <curl/curl.h>
#include <signal.h>

#include <CLI/CLI.hpp>

#include "config/config.hpp"
#include "nullrelayd/connection_check.hpp"
#include "nullrelayd/credentials.hpp"
#include "nullrelayd/daemon.hpp"
#include "util/log.hpp"

using namespace nullrelay;

int main(int argc, char** argv) {
    CLI::App app{"nullrelayd - the nullrelay delivery daemon"};
    std::string config_path = kDefaultConfigPath;
    bool foreground = false, once = false, flush_all = false, verbose = false,
         check_connect = false;
    app.add_option("-C,--config", config_path, "configuration file");
    app.add_flag("--foreground", foreground,
                 "stay in the foreground and log to stderr (always the case; for clarity)");
    app.add_flag("--once", once, "deliver what is due, then exit");
    app.add_flag("--flush", flush_all, "with --once: attempt every queued message now");
    app.add_flag("-v,--verbose", verbose,
                 "log the SMTP dialogue of every attempt and what each smarthost offers "
                 "(credentials redacted)");
    app.add_flag("--check-connect", check_connect,
                 "log in to each smarthost without sending mail, print what it offers, exit "
                 "(nullrelay check --connect runs this)");
    CLI11_PARSE(app, argc, argv);

    // 1. Signals are taken through signalfd: block them before any thread starts.
    sigset_t mask;
    sigemptyset(&mask);
    for (int sig : {SIGTERM, SIGINT, SIGHUP})
        sigaddset(&mask, sig);
    pthread_sigmask(SIG_BLOCK, &mask, nullptr);
    signal(SIGPIPE, SIG_IGN);

    // 2. Configuration and credentials; any error here is the admin's to fix (EX_CONFIG).
    auto config = load_config(config_path);
    if (!config) {
        log_error("{}", config.error().message);
        return config.error().exit_code;
    }
    resolve_host_defaults(*config);
    auto credentials = load_credentials(*config);
    if (!credentials) {
        log_error("{}", credentials.error().message);
        return credentials.error().exit_code;
    }

    // 3. Run.
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (check_connect) {
        int checked = check_connections(*config, *credentials, verbose);
        curl_global_cleanup();
        return checked;
    }
    int rc = Daemon(std::move(*config), std::move(*credentials),
                    DaemonOptions{once, flush_all, config_path, verbose})
                 .run();
    curl_global_cleanup();
    return rc;
}
