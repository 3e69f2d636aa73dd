// nullrelayd: picks up submitted mail, queues it durably and relays it to the smarthost.
//
// SECURITY: runs as the unprivileged user nullrelay (systemd User=), never as root in
// production. It alone reads the smarthost credentials. Everything in maildrop/ is hostile
// input written by local users (see pickup.hpp). The only programs it runs are the admin's
// password_command and oauth2_client_secret_command, without a shell (secret_command.hpp).
// Its memory holds secrets: it makes itself non-dumpable (no core file, no ptrace or
// /proc/PID/mem by other processes of its user). `nullrelayd oauth2 login|check|status` are
// one-shot commands that the admin program runs as the daemon user (oauth2_command.hpp).
#include <curl/curl.h>
#include <signal.h>

#include <cstdio>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "config/config.hpp"
#include "nullrelayd/connection_check.hpp"
#include "nullrelayd/core_dumps.hpp"
#include "nullrelayd/credentials.hpp"
#include "nullrelayd/daemon.hpp"
#include "nullrelayd/journal_log.hpp"
#include "nullrelayd/oauth2_command.hpp"
#include "util/command_line.hpp"
#include "util/host_name.hpp"
#include "util/log.hpp"
#include "util/version.hpp"

using namespace nullrelay;

int main(int argc, char** argv) {
    CLI::App app{"nullrelayd - the nullrelay delivery daemon"};
    std::string config_path = kDefaultConfigPath;
    bool foreground = false, once = false, flush_all = false, verbose = false,
         check_connect = false;
    app.add_option("-C,--config", config_path, "configuration file");
    app.add_flag(
        "--foreground", foreground,
        "stay in the foreground (always the case; for clarity); the log key says where it logs");
    app.add_flag("--once", once, "deliver what is due, then exit");
    app.add_flag("--flush", flush_all, "with --once: attempt every queued message now");
    app.add_flag("-v,--verbose", verbose,
                 "log the SMTP dialogue of every attempt and what each smarthost offers "
                 "(credentials redacted)");
    app.add_flag("--check-connect", check_connect,
                 "log in to each smarthost without sending mail, print what it offers, exit "
                 "(nullrelay check --connect runs this)");
    // One-shot OAuth2 commands (run by `nullrelay oauth2 ...` and `nullrelay check`).
    auto* oauth2 = app.add_subcommand("oauth2", "OAuth2 commands, as the daemon user");
    oauth2->require_subcommand(1);
    std::string oauth2_action;
    for (const char* name : {"login", "check", "status"})
        oauth2->add_subcommand(name)->callback([&oauth2_action, name] { oauth2_action = name; });
    app.set_version_flag("--version", fmt::format("nullrelayd (nullrelay) {}", kVersion));
    if (auto rc = parse_command_line(app, "nullrelayd", argc, argv)) return *rc;
    use_journal_fields();  // under systemd: delivery lines carry QUEUE_ID=, STATUS=, ...

    // 1. Secrets (the smarthost password, OAuth2 tokens) live in this process's memory:
    // never in a core file, never readable through ptrace or /proc/PID/mem by the other
    // processes of the nullrelay user (password_command's helpers included).
    if (Status st = forbid_core_dumps(); !st) {
        log_error("{}", st.error().message);
        return st.error().exit_code;
    }

    if (!oauth2_action.empty()) {
        auto config = load_config(config_path);
        if (!config) {
            std::fprintf(stderr, "nullrelayd: %s\n", config.error().message.c_str());
            return config.error().exit_code;
        }
        resolve_host_defaults(*config);
        curl_global_init(CURL_GLOBAL_DEFAULT);
        int rc = oauth2_command(*config, oauth2_action);
        curl_global_cleanup();
        return rc;
    }

    // 2. Signals are taken through signalfd: block them before any thread starts.
    sigset_t mask;
    sigemptyset(&mask);
    for (int sig : {SIGTERM, SIGINT, SIGHUP})
        sigaddset(&mask, sig);
    pthread_sigmask(SIG_BLOCK, &mask, nullptr);
    signal(SIGPIPE, SIG_IGN);

    // 3. Configuration and credentials; any error here is the admin's to fix (EX_CONFIG).
    auto config = load_config(config_path);
    if (!config) {
        log_error("{}", config.error().message);
        return config.error().exit_code;
    }
    resolve_host_defaults(*config);
    // The log goes where the `log` key says from here on (a one-shot --check-connect prints
    // to the admin's terminal).
    if (!check_connect) apply_log_setting(config->log);
    if (!is_qualified_host_name(config->hostname))
        log_warning(
            "the host name '{}' is not qualified: EHLO and Message-IDs use it; set "
            "hostname or sender_domain in {} (nullrelay check)",
            config->hostname, config_path);
    auto credentials = load_credentials(*config);
    if (!credentials) {
        log_error("{}", credentials.error().message);
        return credentials.error().exit_code;
    }

    // 4. Run.
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
