// nullrelay: the admin program (also mailq and newaliases by argv[0]).
//
// SECURITY: run by root or the admin; `mailq` by anyone. It reads envelopes, never message
// content, for listings; it never reads credentials. Changes to the queue go through the
// daemon when it runs (control socket); without a daemon, `flush` runs `nullrelayd --once`.
#include <unistd.h>

#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "config.hpp"
#include "control_socket.hpp"
#include "durable_io.hpp"
#include "program_path.hpp"
#include "queue_id.hpp"
#include "queue_listing.hpp"
#include "rewrite_command.hpp"
#include "spool.hpp"

using namespace nullrelay;

namespace {

[[noreturn]] void fail(const Error& e) {
    std::fprintf(stderr, "nullrelay: %s\n", e.message.c_str());
    std::exit(e.exit_code);
}

Config load_or_fail(const std::string& path) {
    auto config = load_config(path, path != kDefaultConfigPath);
    if (!config) fail(config.error());
    return *config;
}

int list_queue(const Config& config) {
    auto spool = Spool::open(config.spool_dir);
    if (!spool) fail(spool.error());
    std::vector<ListedMessage> listed;
    int rc = EX_OK;
    for (Place place : {Place::queue, Place::hold, Place::failed}) {
        for (const auto& id : spool->list(place)) {
            auto env = spool->load(place, id);
            if (!env) {
                // Reported and skipped: one bad file must not hide the rest of the queue.
                std::fprintf(stderr, "nullrelay: %s\n", env.error().message.c_str());
                rc = EX_DATAERR;
                continue;
            }
            listed.push_back({std::move(*env), place, false});
        }
    }
    std::sort(listed.begin(), listed.end(), [](const ListedMessage& a, const ListedMessage& b) {
        return a.envelope.id < b.envelope.id;
    });
    std::fputs(format_mailq(listed).c_str(), stdout);
    return rc;
}

int flush_queue(const Config& config, const std::string& config_path,
                const std::vector<std::string>& ids) {
    std::string request = "flush";
    for (const auto& id : ids) {
        if (!is_valid_queue_id(id)) fail({EX_USAGE, fmt::format("'{}' is not a queue id", id)});
        request += " " + id;
    }
    Status st = send_control_message(config.spool_dir + "/control", request);
    if (st) return EX_OK;
    if (st.error().exit_code != EX_UNAVAILABLE) fail(st.error());
    // No daemon: deliver in this process's child, as the daemon would, then return.
    std::string daemon = sibling_program("nullrelayd");
    std::vector<std::string> words = {daemon, "--once", "--flush", "-C", config_path};
    std::vector<char*> argv;
    for (auto& w : words)
        argv.push_back(w.data());
    argv.push_back(nullptr);
    ::execv(daemon.c_str(), argv.data());
    fail({EX_UNAVAILABLE, fmt::format("cannot run {}: {}", daemon, errno_text(errno))});
}

// `nullrelay check`, `newaliases` (and `sendmail -bi` through it): the configuration and
// the maps it names.
int check(Config config) {
    resolve_host_defaults(config);
    if (int rc = check_address_maps(config); rc != EX_OK) return rc;
    std::printf("%s: configuration is valid\n", config.path.c_str());
    if (config.smarthosts.empty())
        std::printf("no smarthost is set: mail is queued until one is configured\n");
    return EX_OK;
}

}  // namespace

int main(int argc, char** argv) {
    std::string name = argc > 0 ? argv[0] : "nullrelay";
    name = name.substr(name.rfind('/') + 1);
    std::string config_path = kDefaultConfigPath;

    if (name == "mailq" || name == "newaliases") {
        CLI::App app{name};
        app.add_option("-C,--config", config_path, "configuration file");
        CLI11_PARSE(app, argc, argv);
        Config config = load_or_fail(config_path);
        return name == "mailq" ? list_queue(config) : check(config);
    }

    CLI::App app{"nullrelay - inspect and manage the nullrelay mail queue"};
    app.add_option("-C,--config", config_path, "configuration file");
    app.require_subcommand(1);
    auto* queue = app.add_subcommand("queue", "list queued mail (as mailq does)");
    auto* flush = app.add_subcommand("flush", "attempt delivery of queued messages now");
    std::vector<std::string> flush_ids;
    flush->add_option("ids", flush_ids, "queue ids (default: every queued message)");
    auto* chk = app.add_subcommand("check", "validate the configuration and the maps");
    std::vector<std::string> rewrite_args;
    bool rewrite_sender = false;
    auto* rewrite = app.add_subcommand("rewrite", "show how addresses are rewritten, step by step");
    rewrite->add_option("address", rewrite_args, "recipient (or sender) addresses")->required();
    rewrite->add_flag("-s,--sender", rewrite_sender, "rewrite them as envelope senders");
    CLI11_PARSE(app, argc, argv);
    Config config = load_or_fail(config_path);
    if (*queue) return list_queue(config);
    if (*flush) return flush_queue(config, config_path, flush_ids);
    if (*chk) return check(config);
    if (*rewrite) {
        resolve_host_defaults(config);
        return rewrite_command(config, rewrite_args, rewrite_sender);
    }
    return EX_USAGE;
}
