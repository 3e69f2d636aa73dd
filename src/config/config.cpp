#include "config/config.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "config/config_keys.hpp"
#include "mail/address.hpp"
#include "util/host_name.hpp"
#include "util/text.hpp"
#include "util/unique_fd.hpp"

namespace nullrelay {

namespace {

using Setter = std::function<Status(Config&, std::string_view)>;

Result<long long> parse_integer(std::string_view text, long long min, long long max) {
    long long v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max)
        return Error{EX_CONFIG, fmt::format("expected a whole number from {} to {}, got '{}'", min,
                                            max, text)};
    return v;
}

Result<std::uint64_t> parse_size(std::string_view text) {
    std::uint64_t unit = 1;
    if (!text.empty()) {
        switch (text.back()) {
            case 'k':
            case 'K':
                unit = 1024;
                break;
            case 'm':
            case 'M':
                unit = 1024 * 1024;
                break;
            case 'g':
            case 'G':
                unit = 1024 * 1024 * 1024;
                break;
            default:
                break;
        }
        if (unit != 1) text.remove_suffix(1);
    }
    // The bound applies to the product, so no unit can make it wrap around.
    auto n = parse_integer(text, 1, static_cast<long long>((1ull << 40) / unit));
    if (!n)
        return Error{EX_CONFIG,
                     fmt::format("expected a size from 1 to 1024G such as 10M, got '{}'", text)};
    return static_cast<std::uint64_t>(*n) * unit;
}

bool valid_host(std::string_view h) {
    if (h.empty() || h.size() > 255) return false;
    return std::all_of(h.begin(), h.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':';
    });
}

Result<std::vector<Smarthost>> parse_smarthosts(std::string_view text) {
    std::vector<Smarthost> hosts;
    for (std::string_view item : split(text, ',')) {
        item = trim(item);
        if (item.empty()) return Error{EX_CONFIG, "empty entry in the smarthost list"};
        Smarthost h;
        std::string_view port;
        if (item.front() == '[') {  // [IPv6]:port
            auto close = item.find(']');
            if (close == std::string_view::npos)
                return Error{EX_CONFIG, fmt::format("unclosed '[' in '{}'", item)};
            h.host = std::string(item.substr(0, close + 1));
            std::string_view rest = item.substr(close + 1);
            if (!rest.empty()) {
                if (rest.front() != ':')
                    return Error{EX_CONFIG,
                                 fmt::format("expected ':port' after ']' in '{}'", item)};
                port = rest.substr(1);
            }
        } else {
            auto colon = item.rfind(':');
            h.host = std::string(item.substr(0, colon));
            if (colon != std::string_view::npos) port = item.substr(colon + 1);
        }
        if (!valid_host(h.host.front() == '[' ? h.host.substr(1, h.host.size() - 2) : h.host))
            return Error{EX_CONFIG, fmt::format("'{}' is not a host name or address", h.host)};
        if (!port.empty()) {
            auto p = parse_integer(port, 1, 65535);
            if (!p) return Error{EX_CONFIG, fmt::format("bad port in '{}'", item)};
            h.port = static_cast<int>(*p);
        }
        hosts.push_back(std::move(h));
    }
    return hosts;
}

Setter string_key(std::string Config::*field) {
    return [field](Config& c, std::string_view v) -> Status {
        c.*field = std::string(v);
        return ok_status();
    };
}

Status set_path(std::string& field, std::string_view v) {
    if (v.empty() || v.front() != '/')
        return Error{EX_CONFIG, fmt::format("expected an absolute path, got '{}'", v)};
    field = std::string(v);
    return ok_status();
}

Setter path_key(std::string Config::*field) {
    return [field](Config& c, std::string_view v) { return set_path(c.*field, v); };
}

Setter duration_key(std::chrono::seconds Config::*field) {
    return [field](Config& c, std::string_view v) -> Status {
        auto d = parse_duration(v);
        if (!d) return d.error();
        c.*field = *d;
        return ok_status();
    };
}

Setter yes_no_key(bool Config::*field) {
    return [field](Config& c, std::string_view v) -> Status {
        if (v == "yes")
            c.*field = true;
        else if (v == "no")
            c.*field = false;
        else
            return Error{EX_CONFIG, fmt::format("expected yes or no, got '{}'", v)};
        return ok_status();
    };
}

Setter domain_key(std::string Config::*field) {
    return [field](Config& c, std::string_view v) -> Status {
        if (!valid_host(v) || v.find(':') != std::string_view::npos)
            return Error{EX_CONFIG, fmt::format("'{}' is not a domain name", v)};
        c.*field = to_lower(v);
        return ok_status();
    };
}

const std::map<std::string, Setter, std::less<>>& setters() {
    static const std::map<std::string, Setter, std::less<>> table = {
        {"smarthost",
         [](Config& c, std::string_view v) -> Status {
             auto hosts = parse_smarthosts(v);
             if (!hosts) return hosts.error();
             c.smarthosts = std::move(*hosts);
             return ok_status();
         }},
        {"tls",
         [](Config& c, std::string_view v) -> Status {
             if (v == "starttls")
                 c.tls = TlsMode::starttls;
             else if (v == "implicit")
                 c.tls = TlsMode::implicit;
             else
                 return Error{EX_CONFIG, fmt::format("expected starttls or implicit, got '{}'", v)};
             return ok_status();
         }},
        {"tls_ca_file", path_key(&Config::tls_ca_file)},
        {"tls_ca_path", path_key(&Config::tls_ca_path)},
        {"tls_min_version", set_tls_min_version},
        {"tls_pin_sha256", set_tls_pins},
        {"tls_client_cert", path_key(&Config::tls_client_cert)},
        {"tls_client_key", path_key(&Config::tls_client_key)},
        {"auth_user", string_key(&Config::auth_user)},
        {"auth_mechanism", set_auth_mechanism},
        {"password_file", path_key(&Config::password_file)},
        {"password_command", set_password_command},
        {"oauth2_grant", set_oauth2_grant},
        {"oauth2_token_url",
         [](Config& c, std::string_view v) { return set_https_url(c.oauth2.token_url, v); }},
        {"oauth2_device_url",
         [](Config& c, std::string_view v) { return set_https_url(c.oauth2.device_url, v); }},
        {"oauth2_authorize_url",
         [](Config& c, std::string_view v) { return set_https_url(c.oauth2.authorize_url, v); }},
        {"oauth2_redirect_uri", set_oauth2_redirect_uri},
        {"oauth2_client_id",
         [](Config& c, std::string_view v) { return set_oauth2_text(c.oauth2.client_id, v); }},
        {"oauth2_client_secret_file",
         [](Config& c, std::string_view v) { return set_path(c.oauth2.client_secret_file, v); }},
        {"oauth2_client_secret_command", set_oauth2_client_secret_command},
        {"oauth2_scope",
         [](Config& c, std::string_view v) { return set_oauth2_text(c.oauth2.scope, v); }},
        {"oauth2_state_dir",
         [](Config& c, std::string_view v) { return set_path(c.oauth2.state_dir, v); }},
        {"oauth2_tls_ca_file",
         [](Config& c, std::string_view v) { return set_path(c.oauth2.tls_ca_file, v); }},
        {"oauth2_tls_ca_path",
         [](Config& c, std::string_view v) { return set_path(c.oauth2.tls_ca_path, v); }},
        {"hostname", domain_key(&Config::hostname)},
        {"sender_domain", domain_key(&Config::sender_domain)},
        {"alias_map", path_key(&Config::alias_map)},
        {"alias_scope",
         [](Config& c, std::string_view v) -> Status {
             if (v == "local")
                 c.alias_scope = AliasScope::local;
             else if (v == "all")
                 c.alias_scope = AliasScope::all;
             else
                 return Error{EX_CONFIG, fmt::format("expected local or all, got '{}'", v)};
             return ok_status();
         }},
        {"local_domains",
         [](Config& c, std::string_view v) -> Status {
             for (std::string_view d : split(v, ',')) {
                 d = trim(d);
                 if (!valid_host(d) || d.find(':') != std::string_view::npos)
                     return Error{EX_CONFIG, fmt::format("'{}' is not a domain name", d)};
                 c.local_domains.push_back(to_lower(d));
             }
             return ok_status();
         }},
        {"admin_address",
         [](Config& c, std::string_view v) -> Status {
             // Used as is, never looked up: it must be complete and safe on the wire.
             if (std::string why = envelope_address_problem(v); !why.empty())
                 return Error{EX_CONFIG, fmt::format("'{}' is not an address: {}", v, why)};
             if (domain_of(v).empty())
                 return Error{EX_CONFIG, fmt::format("'{}' has no domain; write user@domain", v)};
             c.admin_address = std::string(v);
             return ok_status();
         }},
        {"sender_map", path_key(&Config::sender_map)},
        {"aliases_file",
         [](Config& c, std::string_view v) -> Status {
             if (v == "none") {
                 c.aliases_file.clear();
                 return ok_status();
             }
             return path_key(&Config::aliases_file)(c, v);
         }},
        {"received_header", yes_no_key(&Config::received_header)},
        {"spool_dir", path_key(&Config::spool_dir)},
        {"connections",
         [](Config& c, std::string_view v) -> Status {
             auto n = parse_integer(v, 1, 64);
             if (!n) return n.error();
             c.connections = static_cast<int>(*n);
             return ok_status();
         }},
        {"queue_minfree",
         [](Config& c, std::string_view v) -> Status {
             if (v == "0") {
                 c.queue_minfree = 0;  // no reserve
                 return ok_status();
             }
             auto n = parse_size(v);
             if (!n) return n.error();
             c.queue_minfree = *n;
             return ok_status();
         }},
        {"max_message_size",
         [](Config& c, std::string_view v) -> Status {
             auto n = parse_size(v);
             if (!n) return n.error();
             c.max_message_size = *n;
             return ok_status();
         }},
        {"bounce_size_limit",
         [](Config& c, std::string_view v) -> Status {
             auto n = parse_size(v);
             if (!n) return n.error();
             c.bounce_size_limit = *n;
             return ok_status();
         }},
        {"retry_min", duration_key(&Config::retry_min)},
        {"retry_max", duration_key(&Config::retry_max)},
        {"queue_lifetime", duration_key(&Config::queue_lifetime)},
        {"connect_timeout", duration_key(&Config::connect_timeout)},
        {"response_timeout", duration_key(&Config::response_timeout)},
        {"max_connection_age", duration_key(&Config::max_connection_age)},
        {"shutdown_timeout", duration_key(&Config::shutdown_timeout)},
        {"metrics_file", path_key(&Config::metrics_file)},
        {"metrics_interval", duration_key(&Config::metrics_interval)},
        {"admin_group",
         [](Config& c, std::string_view v) -> Status {
             // A group name as useradd accepts it; looked up when used (control_access.cpp).
             bool ok =
                 v.size() <= 32 && (std::isalpha(static_cast<unsigned char>(v[0])) || v[0] == '_');
             for (char ch : v)
                 ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' ||
                             ch == '-' || ch == '.');
             if (!ok) return Error{EX_CONFIG, fmt::format("'{}' is not a group name", v)};
             c.admin_group = std::string(v);
             return ok_status();
         }},
        {"log",
         [](Config& c, std::string_view v) -> Status {
             if (v == "auto")
                 c.log = LogSetting::automatic;
             else if (v == "stderr")
                 c.log = LogSetting::standard_error;
             else if (v == "syslog")
                 c.log = LogSetting::syslog;
             else
                 return Error{EX_CONFIG,
                              fmt::format("expected auto, stderr or syslog, got '{}'", v)};
             return ok_status();
         }},
        {"mailq_visibility",
         [](Config& c, std::string_view v) -> Status {
             if (v == "own")
                 c.mailq_visibility = MailqVisibility::own;
             else if (v == "all")
                 c.mailq_visibility = MailqVisibility::all;
             else
                 return Error{EX_CONFIG, fmt::format("expected own or all, got '{}'", v)};
             return ok_status();
         }},
    };
    return table;
}

}  // namespace

Result<std::chrono::seconds> parse_duration(std::string_view text) {
    long long unit = 1;
    if (!text.empty() && !std::isdigit(static_cast<unsigned char>(text.back()))) {
        switch (text.back()) {
            case 's':
                unit = 1;
                break;
            case 'm':
                unit = 60;
                break;
            case 'h':
                unit = 3600;
                break;
            case 'd':
                unit = 86400;
                break;
            case 'w':
                unit = 7 * 86400;
                break;
            default:
                return Error{
                    EX_CONFIG,
                    fmt::format("expected a duration such as 30s, 5m, 1h or 5d, got '{}'", text)};
        }
        text.remove_suffix(1);
    }
    auto n = parse_integer(text, 0, 10ll * 365 * 86400 / unit);
    if (!n)
        return Error{EX_CONFIG,
                     fmt::format("expected a duration such as 30s, 5m, 1h or 5d, got '{}'", text)};
    return std::chrono::seconds(*n * unit);
}

Result<Config> parse_config(std::string_view text, const std::string& path) {
    Config config;
    config.path = path;
    int lineno = 0;
    std::map<std::string, int, std::less<>> seen;
    for (std::string_view line : split(text, '\n')) {
        ++lineno;
        auto where = [&](const std::string& msg) {
            return Error{EX_CONFIG, fmt::format("{}:{}: {}", path, lineno, msg)};
        };
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        line = trim(line);
        if (line.empty() || line.front() == '#') continue;
        auto eq = line.find('=');
        if (eq == std::string_view::npos) return where("expected 'key = value'");
        std::string_view key = trim(line.substr(0, eq));
        std::string_view value = trim(line.substr(eq + 1));
        auto it = setters().find(key);
        if (it == setters().end()) return where(fmt::format("unknown key '{}'", key));
        if (auto prev = seen.find(key); prev != seen.end())
            return where(fmt::format("'{}' is already set on line {}", key, prev->second));
        seen.emplace(std::string(key), lineno);
        if (value.empty()) return where(fmt::format("'{}' needs a value", key));
        if (Status st = it->second(config, value); !st)
            return where(fmt::format("{}: {}", key, st.error().message));
    }
    for (auto& h : config.smarthosts)
        if (h.port == 0) h.port = config.tls == TlsMode::implicit ? 465 : 587;
    // Checks across keys name the line of the key that is wrong.
    auto at = [&](std::string_view key, const std::string& msg) {
        auto it = seen.find(key);
        return Error{EX_CONFIG, it == seen.end() ? fmt::format("{}: {}", path, msg)
                                                 : fmt::format("{}:{}: {}", path, it->second, msg)};
    };
    if (config.retry_min.count() < 1) return at("retry_min", "retry_min must be at least 1s");
    if (config.metrics_interval.count() < 1)
        return at("metrics_interval", "metrics_interval must be at least 1s");
    if (config.retry_max < config.retry_min)
        return at(seen.count("retry_max") ? "retry_max" : "retry_min",
                  "retry_max is shorter than retry_min");
    if (!config.admin_address.empty()) {
        const std::string d = domain_of(config.admin_address);
        const auto& local = config.local_domains;
        if (d == "localhost" || d == "localhost.localdomain" || d == config.hostname ||
            std::find(local.begin(), local.end(), d) != local.end())
            return at("admin_address",
                      "admin_address must not be in a local domain: it is sent as is");
    }
    // Without either, the daemon looks for a systemd credential (credentials.hpp).
    if (!config.password_file.empty() && !config.password_command.empty())
        return at("password_command", "set password_file or password_command, not both");
    if (config.tls_client_cert.empty() != config.tls_client_key.empty())
        return at(config.tls_client_cert.empty() ? "tls_client_key" : "tls_client_cert",
                  "tls_client_cert and tls_client_key go together");
    if (config.auth_mechanism == AuthMechanism::xoauth2 && config.auth_user.empty())
        return at("auth_mechanism", "auth_mechanism = xoauth2 needs auth_user");
    if (Status st = check_oauth2_keys(config, at); !st) return st.error();
    return config;
}

Result<Config> load_config(const std::string& path, bool must_exist) {
    // read(2), not an ifstream: iostreams build the C++ locale on first use, a measurable part
    // of the start-up of sendmail, which reads this file at every submission.
    auto cannot_read = [&path](int err) {
        return Error{EX_CONFIG, fmt::format("cannot read {}: {}", path, std::strerror(err))};
    };
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        if (errno == ENOENT && !must_exist) {
            Config defaults;
            defaults.path = path;
            return defaults;
        }
        return cannot_read(errno);
    }
    std::string text;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return cannot_read(errno);
        if (n == 0) return parse_config(text, path);
        text.append(buf, static_cast<size_t>(n));
    }
}

Result<Config> load_config(const std::string& path) {
    return load_config(path, path != kDefaultConfigPath);
}

std::string resolve_host_defaults(Config& config) {
    if (!config.hostname.empty()) return "hostname in " + config.path;
    LocalHostName h = local_host_name(config.sender_domain);
    config.hostname = h.name;
    if (!h.own_name.empty() && h.own_name != h.name) config.local_domains.push_back(h.own_name);
    return h.source;
}

}  // namespace nullrelay
