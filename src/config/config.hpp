// nullrelay.conf: `key = value` lines, `#` comments. Every key, its default and meaning are in
// man/nullrelay.conf.5; an unknown key or a bad value is an error naming file and line (EX_CONFIG).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace nullrelay {

inline constexpr const char* kDefaultConfigPath = "/etc/nullrelay/nullrelay.conf";

enum class TlsMode { starttls, implicit };
enum class AliasScope { local, all };     // which recipients alias_map applies to
enum class MailqVisibility { own, all };  // what mailq shows a user who is not an admin
enum class LogSetting { automatic, standard_error, syslog };  // where nullrelayd logs
enum class TlsVersion { v1_2, v1_3 };
enum class AuthMechanism { automatic, plain, login, xoauth2 };
enum class OAuth2Grant { none, client_credentials, refresh_token };

// The built-in OAuth2 client (oauth2_* keys): nullrelayd obtains XOAUTH2 access tokens itself.
struct OAuth2Config {
    OAuth2Grant grant = OAuth2Grant::none;  // none: no built-in OAuth2
    std::string token_url;                  // https://, the token endpoint
    std::string device_url;     // https://, the device authorization endpoint (RFC 8628)
    std::string authorize_url;  // https://, for the authorization code grant with PKCE
    std::string redirect_uri = "http://localhost";  // where authorize_url sends the browser
    std::string client_id;
    std::string client_secret_file;
    std::vector<std::string> client_secret_command;  // argv, run without a shell
    std::string scope;
    std::string state_dir = "/var/lib/nullrelay";  // the refresh token and the status file
    std::string tls_ca_file;  // with tls_ca_path empty too: the system's CA directory
    std::string tls_ca_path;  // a directory of CAs by hash (openssl rehash)
    bool enabled() const { return grant != OAuth2Grant::none; }
};

struct Smarthost {
    std::string host;
    int port = 0;
    bool operator==(const Smarthost&) const = default;
};

struct Config {
    std::string path;  // where it was read from, for messages

    std::vector<Smarthost> smarthosts;
    TlsMode tls = TlsMode::starttls;
    std::string tls_ca_file;  // with tls_ca_path empty too: the system's CA directory
    std::string tls_ca_path;  // a directory of CAs by hash (openssl rehash)
    TlsVersion tls_min_version = TlsVersion::v1_2;
    std::vector<std::string> tls_pin_sha256;  // base64 SHA-256 of acceptable public keys
    std::string tls_client_cert;              // PEM; tls_client_key with it
    std::string tls_client_key;
    std::string auth_user;
    AuthMechanism auth_mechanism = AuthMechanism::automatic;
    std::string password_file;
    std::vector<std::string> password_command;  // argv, run without a shell (secret_command.hpp)
    OAuth2Config oauth2;
    std::string hostname;       // EHLO name and local domain; empty until resolved
    std::string sender_domain;  // empty: hostname
    std::string alias_map;
    AliasScope alias_scope = AliasScope::local;
    std::vector<std::string> local_domains;  // besides hostname, localhost(.localdomain)
    std::string admin_address;  // unmatched local recipients and alias failures go here
    std::string sender_map;
    // The system's aliases(5) table, consulted for local recipients before alias_map; empty
    // (aliases_file = none) for none. A missing file is no error.
    std::string aliases_file = "/etc/aliases";
    // Received: at pickup, naming the submitter's uid, as Postfix, exim and dma do: the
    // smarthost's admin can trace a forged From: back to a local account.
    bool received_header = true;
    std::string spool_dir = "/var/spool/nullrelay";

    int connections = 2;
    std::uint64_t max_message_size = 50ull * 1024 * 1024;
    std::uint64_t bounce_size_limit = 50000;  // -R full: bigger messages bounce with headers only
    // Free space the spool's file system keeps (Postfix's queue_minfree): sendmail refuses
    // below it, pickup waits below half of it, so envelope updates and bounces always have
    // room. Unset: 2 x max_message_size; 0: no reserve.
    std::optional<std::uint64_t> queue_minfree;
    std::uint64_t spool_reserve() const { return queue_minfree.value_or(2 * max_message_size); }
    std::chrono::seconds retry_min{60};
    std::chrono::seconds retry_max{3600};
    std::chrono::seconds queue_lifetime{5 * 24 * 3600};
    std::chrono::seconds connect_timeout{30};
    std::chrono::seconds response_timeout{300};
    std::chrono::seconds max_connection_age{60};
    std::chrono::seconds shutdown_timeout{10};  // SIGTERM: in-flight deliveries get this long

    // The daemon's log: stderr (the journal under systemd, a terminal, a container's log),
    // syslog(3) with facility mail, or automatic: syslog when stderr goes nowhere (closed or
    // /dev/null, as under start-stop-daemon --background), stderr otherwise.
    LogSetting log = LogSetting::automatic;

    std::string admin_group;  // may change the queue besides root; empty: root only
    MailqVisibility mailq_visibility = MailqVisibility::own;

    // A Prometheus text file for node_exporter's textfile collector; empty: none (the default).
    // Rewritten (temporary file, rename) at most every metrics_interval, and only when a value
    // changed.
    std::string metrics_file;
    std::chrono::seconds metrics_interval{60};

    // hostname, or the host's name when unset
    const std::string& local_hostname() const { return hostname; }
    const std::string& qualify_domain() const {
        return sender_domain.empty() ? hostname : sender_domain;
    }
};

// Parses text as if read from `path`. Does not touch the file system.
Result<Config> parse_config(std::string_view text, const std::string& path);

// Reads and parses a file. A missing default file gives the defaults (nothing configured yet);
// a missing file named explicitly is an error.
Result<Config> load_config(const std::string& path, bool must_exist);
// The configuration a program was started with: kDefaultConfigPath may be missing (nothing
// configured yet: the defaults), any other path was named explicitly (-C) and must exist.
Result<Config> load_config(const std::string& path);

// Fills in what depends on the host: hostname when not configured (util/host_name.hpp: a
// qualified name when there is one; the host's own name then stays a local domain). Returns
// where hostname came from, for `nullrelay check`.
std::string resolve_host_defaults(Config& config);

Result<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace nullrelay
