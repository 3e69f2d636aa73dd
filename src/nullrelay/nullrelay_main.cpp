// nullrelay: the admin program (also mailq and newaliases by argv[0]).
//
// SECURITY: not privileged (no setuid or setgid bit). Anyone may run it; what it may do is
// decided by nullrelayd from the caller's kernel credentials on the control socket
// (control_access.hpp): anyone lists their own messages' envelopes, only root and
// admin_group members change the queue or read messages. Without a daemon only root gets
// anywhere, and gives up root for the spool's owner first (queue_client.hpp). It never
// reads credentials: `oauth2 login|status` and the token check of `check` are run by
// nullrelayd as the daemon's user (oauth2_admin.hpp).
#include <signal.h>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "config/config.hpp"
#include "control/control_access.hpp"
#include "control/queue_selection.hpp"
#include "nullrelay/admin_queue.hpp"
#include "nullrelay/oauth2_admin.hpp"
#include "nullrelay/rewrite_command.hpp"
#include "nullrelay/smarthost_check.hpp"
#include "nullrelay/stats_command.hpp"
#include "util/command_line.hpp"
#include "util/host_name.hpp"
#include "util/version.hpp"

using namespace nullrelay;

namespace {

[[noreturn]] void fail(const Error& e) {
    std::fprintf(stderr, "nullrelay: %s\n", e.message.c_str());
    std::exit(e.exit_code);
}

Config load_or_fail(const std::string& path) {
    auto config = load_config(path);
    if (!config) fail(config.error());
    return *config;
}

// `nullrelay check`, `newaliases` (and `sendmail -bi` through it): the configuration, the
// maps it names and the admin group.
int check(Config config) {
    if (auto policy = access_policy(config, 0); !policy) fail(policy.error());
    const std::string host_source = resolve_host_defaults(config);
    if (int rc = check_address_maps(config); rc != EX_OK) return rc;
    std::printf("%s: configuration is valid\n", config.path.c_str());
    std::printf("host name (EHLO, Message-ID): %s (%s)\n", config.hostname.c_str(),
                host_source.c_str());
    // Valid, but spam filters score an unqualified EHLO or Message-ID: say so, and how.
    std::fflush(stdout);  // the warning after the lines it is about, in a shared log too
    if (!is_qualified_host_name(config.hostname))
        std::fprintf(stderr,
                     "nullrelay: warning: the host name '%s' is not qualified (no domain): "
                     "set hostname = a fully qualified name, or sender_domain, in %s, or "
                     "write the host's mail name to /etc/mailname\n",
                     config.hostname.c_str(), config.path.c_str());
    if (config.smarthosts.empty())
        std::printf("no smarthost is set: mail is queued until one is configured\n");
    return EX_OK;
}

// `nullrelay check` also obtains an OAuth2 access token (no mail is sent), unless told not to
// contact anything or run by a user who cannot read the secrets.
int check_oauth2(const Config& config, const std::string& config_path, bool config_only) {
    if (!config.oauth2.enabled() || config_only) return EX_OK;
    std::fflush(stdout);  // before nullrelayd writes to the same stdout
    if (!may_act_as_daemon(config)) {
        std::printf("OAuth2: not checked: only root (or the daemon's user) can obtain a token\n");
        return EX_OK;
    }
    return run_daemon_oauth2(config, config_path, "check");
}

// The selection options a subcommand takes, as typed.
struct SelectionArgs {
    std::vector<std::string> ids;
    bool all = false;
    std::string recipient, sender;

    void add_to(CLI::App* cmd, bool with_all) {
        cmd->add_option("ID", ids, "queue ids, as mailq shows them");
        if (with_all) cmd->add_flag("--all", all, "every message this command applies to");
        cmd->add_option("--recipient", recipient,
                        "messages with an undelivered recipient matching this pattern "
                        "(substring, or glob with * ? [])");
        cmd->add_option("--sender", sender, "messages whose sender matches this pattern");
    }
    // Validated; `required`: the command must name what it acts on.
    Selection get(bool required) const {
        Selection s;
        for (const auto& text : ids) {
            auto id = canonical_queue_id(text);
            if (!id) fail(id.error());
            s.ids.push_back(*id);
        }
        if (all && !s.ids.empty()) fail({EX_USAGE, "give queue ids or --all, not both"});
        s.all = all;
        s.recipient = recipient;
        s.sender = sender;
        if (required && s.empty())
            fail({EX_USAGE, "name the messages: queue ids, --all, --recipient or --sender"});
        return s;
    }
};

// The first word that is neither an option nor -C's value, when it names no command: CLI11
// would only say "A subcommand is required".
std::optional<std::string> unknown_command(const CLI::App& app, int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string_view word = argv[i];
        if (word == "-C" || word == "--config") {
            ++i;
            continue;
        }
        if (word.starts_with("-")) continue;
        auto named = app.get_subcommands(
            [&](const CLI::App* cmd) { return cmd->check_name(std::string(word)); });
        if (named.empty()) return std::string(word);
        return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
    ::signal(SIGPIPE, SIG_IGN);  // a daemon that goes away is an error return, not a signal
    std::string name = argc > 0 ? argv[0] : "nullrelay";
    name = name.substr(name.rfind('/') + 1);
    std::string config_path = kDefaultConfigPath;

    const std::string version = fmt::format("{} (nullrelay) {}", name, kVersion);

    if (name == "mailq" || name == "newaliases") {
        CLI::App app{name};
        bool verbose = false;
        std::string which_queue;
        app.set_version_flag("--version", version);
        app.add_option("-C,--config", config_path, "configuration file");
        if (name == "mailq") {
            // sendmail's mailq flags that scripts pass: -v (verbose: our listing always says
            // why a message waits) and -Ac / -Am (which queue: there is one). Accepted, no
            // effect.
            app.add_flag("-v", verbose, "accepted for sendmail compatibility; no effect");
            app.add_option("-A", which_queue,
                           "c or m: accepted for sendmail compatibility; no effect")
                ->check(CLI::IsMember({"c", "m"}));
        }
        if (auto rc = parse_command_line(app, name.c_str(), argc, argv)) return *rc;
        Config config = load_or_fail(config_path);
        if (name == "newaliases") return check(config);
        return list_queue({config, config_path}, {}, false);
    }

    CLI::App app{"nullrelay - inspect and manage the nullrelay mail queue"};
    app.set_version_flag("--version", version);
    app.add_option("-C,--config", config_path, "configuration file");
    app.require_subcommand(1);

    // queue [--json] [ID...] [--recipient P] [--sender P]
    auto* queue = app.add_subcommand("queue", "list queued mail as mailq does");
    bool json = false;
    SelectionArgs queue_sel;
    queue->add_flag("--json", json, "one JSON object per line per message");
    queue_sel.add_to(queue, false);

    // stats [--json]
    auto* stats = app.add_subcommand(
        "stats", "messages by state, the oldest one's age and the delivery counters");
    bool stats_json = false;
    stats->add_flag("--json", stats_json, "one JSON object");

    // show ID [--body]
    auto* show = app.add_subcommand("show", "a message's envelope, state and header");
    std::string show_id;
    bool body = false;
    show->add_option("ID", show_id, "queue id")->required();
    show->add_flag("--body", body, "the body too");

    // flush [ID...] [--wait] [--recipient P] [--sender P]
    auto* flush = app.add_subcommand("flush", "attempt delivery now, ignoring the retry times");
    bool wait = false;
    SelectionArgs flush_sel;
    flush_sel.add_to(flush, false);
    flush->add_flag("--wait", wait, "wait for each attempt and report its outcome");

    // hold, release, delete, requeue: ID...|--all [--recipient P] [--sender P]
    struct Change {
        Action action;
        const char* help;
        CLI::App* cmd = nullptr;
        SelectionArgs sel;
    };
    std::vector<Change> changes = {
        {Action::hold, "keep messages from delivery until released", nullptr, {}},
        {Action::release, "deliver held messages again (attempted at once)", nullptr, {}},
        {Action::remove, "delete messages for good", nullptr, {}},
        {Action::requeue, "give failed messages a fresh start in the queue", nullptr, {}},
    };
    bool yes = false;
    for (auto& c : changes) {
        c.cmd = app.add_subcommand(std::string(to_string(c.action)), c.help);
        c.sel.add_to(c.cmd, true);
        if (c.action == Action::remove)
            c.cmd->add_flag("-y,--yes", yes, "do not ask before deleting by --all or pattern");
    }

    // pause [REASON...], resume
    auto* pause = app.add_subcommand(
        "pause", "stop deliveries until resumed (mail is still accepted and queued)");
    std::vector<std::string> pause_words;
    pause->add_option("reason", pause_words, "why, shown by mailq (one line)");
    auto* resume = app.add_subcommand("resume", "deliver again after a pause");

    auto* chk = app.add_subcommand(
        "check", "validate the configuration and the maps (and obtain an OAuth2 token)");
    bool config_only = false, check_connect = false, check_verbose = false;
    chk->add_flag("--config-only", config_only,
                  "only read the configuration and the maps: no OAuth2 token request");
    chk->add_flag("--connect", check_connect,
                  "then log in to each smarthost (TLS, AUTH) without sending mail and show what "
                  "it offers (SIZE, 8BITMIME, SMTPUTF8)");
    chk->add_flag("-v,--verbose", check_verbose, "with --connect: the SMTP dialogue too");

    // oauth2 login | status
    auto* oauth2 = app.add_subcommand("oauth2", "OAuth2: sign in once, or show the state");
    oauth2->require_subcommand(1);
    auto* oauth2_login = oauth2->add_subcommand(
        "login", "obtain the refresh token (device code, or a URL and the code pasted back)");
    auto* oauth2_status = oauth2->add_subcommand(
        "status", "the grant, the refresh token's expiry if known, the last error");

    // rewrite [-s] ADDRESS...
    std::vector<std::string> rewrite_args;
    bool rewrite_sender = false;
    auto* rewrite = app.add_subcommand("rewrite", "show how addresses are rewritten, step by step");
    rewrite->add_option("address", rewrite_args, "recipient (or sender) addresses")->required();
    rewrite->add_flag("-s,--sender", rewrite_sender, "rewrite them as envelope senders");
    if (auto word = unknown_command(app, argc, argv))
        fail({EX_USAGE,
              fmt::format("unknown command '{}'; the commands are in nullrelay --help", *word)});
    if (auto rc = parse_command_line(app, "nullrelay", argc, argv)) return *rc;

    Config config = load_or_fail(config_path);
    AdminContext ctx{config, config_path};
    if (*queue) return list_queue(ctx, queue_sel.get(false), json);
    if (*stats) return show_stats(ctx, stats_json);
    if (*show) {
        auto id = canonical_queue_id(show_id);
        if (!id) fail(id.error());
        return show_message(ctx, *id, body);
    }
    if (*flush) return change_queue(ctx, {Action::flush, flush_sel.get(false), wait}, false);
    for (auto& c : changes)
        if (*c.cmd) return change_queue(ctx, {c.action, c.sel.get(true), false}, yes);
    if (*pause || *resume) {
        Request request{*pause ? Action::pause : Action::resume, {}, false};
        for (const std::string& w : pause_words)
            request.reason += (request.reason.empty() ? "" : " ") + w;
        if (Status st = check_pause_reason(request.reason); !st) fail(st.error());
        return change_queue(ctx, request, false);
    }
    if (*chk) {
        if (config_only && check_connect)
            fail({EX_USAGE, "--config-only contacts nothing: not with --connect"});
        if (int rc = check(config); rc != EX_OK) return rc;
        if (int rc = check_oauth2(config, config_path, config_only); rc != EX_OK || !check_connect)
            return rc;
        resolve_host_defaults(config);
        return check_smarthosts(config, config_path, check_verbose);
    }
    if (*oauth2_login) return run_daemon_oauth2(config, config_path, "login");
    if (*oauth2_status) return run_daemon_oauth2(config, config_path, "status");
    if (*rewrite) {
        resolve_host_defaults(config);
        return rewrite_command(config, rewrite_args, rewrite_sender);
    }
    return EX_USAGE;
}
