#include "nullrelayd/credentials.hpp"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "util/durable_io.hpp"
#include "util/log.hpp"
#include "util/sys_error.hpp"

namespace nullrelay {

namespace {

// Refuses a secret file that someone other than the daemon's user could read. Its group too:
// a group shares the secret with every member and every setgid program of the group (before
// the submission group was split off, nullrelay-sendmail was setgid to the daemon's own).
Status check_secret_file(int fd, const std::string& path, const char* what) {
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return Error{EX_CONFIG, fmt::format("{} {} is not a regular file", what, path)};
    if (st.st_mode & S_IROTH)
        return Error{EX_CONFIG, fmt::format("{} {} is readable by every user; chmod 600 it "
                                            "(owner: the nullrelay user)",
                                            what, path)};
    if (st.st_mode & S_IRGRP)
        return Error{EX_CONFIG, fmt::format("{} {} is readable by its group (gid {}); chmod 600 "
                                            "it (owner: the nullrelay user)",
                                            what, path, st.st_gid)};
    return ok_status();
}

UniqueFd open_secret_file(const std::string& path) {
    return UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
}

}  // namespace

Result<std::string> read_secret_file(const std::string& path, const char* what) {
    UniqueFd fd = open_secret_file(path);
    if (!fd.valid())
        return Error{EX_CONFIG,
                     fmt::format("cannot read {} {}: {}", what, path, errno_text(errno))};
    return read_secret(fd.get(), path, what);
}

Result<std::string> read_secret(int fd, const std::string& path, const char* what) {
    if (Status st = check_secret_file(fd, path, what); !st) return st.error();
    // Threat: the file swapped for another between the check and the read (someone renaming a
    // world-readable file over it). What is read is the descriptor that was checked.
    auto text = read_open_file(fd, path, 64 * 1024);
    if (!text) return Error{EX_CONFIG, text.error().message};
    std::string pw = text->substr(0, text->find('\n'));
    if (!pw.empty() && pw.back() == '\r') pw.pop_back();
    if (pw.empty()) return Error{EX_CONFIG, fmt::format("{} {} is empty", what, path)};
    return pw;
}

namespace {

// The systemd credential `name`, if there is a credentials directory holding it.
std::optional<std::string> systemd_credential_path(const std::string& name) {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (!dir || !*dir) return std::nullopt;
    std::string path = std::string(dir) + "/" + name;
    if (::access(path.c_str(), F_OK) != 0) return std::nullopt;
    return path;
}

}  // namespace

Result<ClientSecret> load_client_secret(const Config& config) {
    const OAuth2Config& o = config.oauth2;
    ClientSecret secret;
    if (!o.client_secret_file.empty()) {
        auto value = read_secret_file(o.client_secret_file, "oauth2_client_secret_file");
        if (!value) return value.error();
        secret.value = std::move(*value);
    } else if (!o.client_secret_command.empty()) {
        const std::string& program = o.client_secret_command.front();
        if (::access(program.c_str(), X_OK) != 0)
            return Error{EX_CONFIG, fmt::format("oauth2_client_secret_command {} cannot be run: {}",
                                                program, errno_text(errno))};
        secret.command = o.client_secret_command;
    } else if (auto path = systemd_credential_path("oauth2-client-secret")) {
        auto value = read_secret_file(*path, "systemd credential");
        if (!value) return value.error();
        secret.value = std::move(*value);
    }
    if (secret.empty() && o.grant == OAuth2Grant::client_credentials)
        return Error{EX_CONFIG,
                     fmt::format("{}: oauth2_grant = client_credentials needs a client secret: "
                                 "set oauth2_client_secret_file or oauth2_client_secret_command, "
                                 "or provide the systemd credential oauth2-client-secret",
                                 config.path)};
    return secret;
}

Result<Credentials> load_credentials(const Config& config) {
    Credentials c;
    // The TLS client key is a secret too; libcurl reads it at each handshake.
    if (!config.tls_client_key.empty()) {
        UniqueFd fd = open_secret_file(config.tls_client_key);
        if (!fd.valid())
            return Error{EX_CONFIG, fmt::format("cannot read tls_client_key {}: {}",
                                                config.tls_client_key, errno_text(errno))};
        if (Status st = check_secret_file(fd.get(), config.tls_client_key, "tls_client_key"); !st)
            return st.error();
    }
    if (config.auth_user.empty()) return c;
    c.user = config.auth_user;
    c.mechanism = config.auth_mechanism;
    if (config.oauth2.enabled()) {
        auto secret = load_client_secret(config);
        if (!secret) return secret.error();
        OAuth2State state(config.oauth2.state_dir);
        if (Status st = state.check_dir(); !st) return st.error();
        if (config.oauth2.grant == OAuth2Grant::refresh_token) {
            // An unsafe file stops the start, as an unsafe password_file does; a missing one
            // does not: mail waits in the queue for the login.
            auto token = state.read_refresh_token();
            if (!token && token.error().exit_code != EX_NOINPUT) return token.error();
            if (!token)
                log_warning("OAuth2: {}; mail stays queued until then", token.error().message);
            if (token) explicit_bzero(token->data(), token->size());
        }
        c.mechanism = AuthMechanism::xoauth2;
        c.oauth2 = std::make_shared<OAuth2Tokens>(config.oauth2, std::move(*secret),
                                                  make_https_client(config), config.retry_min);
        return c;
    }
    if (!config.password_file.empty()) {
        auto pw = read_secret_file(config.password_file, "password_file");
        if (!pw) return pw.error();
        c.password = std::move(*pw);
        return c;
    }
    if (!config.password_command.empty()) {
        // Checked now so that a typo is an error at start, not a deferral at each delivery.
        const std::string& program = config.password_command.front();
        if (::access(program.c_str(), X_OK) != 0)
            return Error{EX_CONFIG, fmt::format("password_command {} cannot be run: {}", program,
                                                errno_text(errno))};
        c.command = config.password_command;
        return c;
    }
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (!dir || !*dir)
        return Error{EX_CONFIG, fmt::format("{}: auth_user is set but neither password_file nor "
                                            "password_command is, and there is no systemd "
                                            "credential (CREDENTIALS_DIRECTORY is not set)",
                                            config.path)};
    auto pw = read_secret_file(std::string(dir) + "/password", "systemd credential");
    if (!pw) return pw.error();
    c.password = std::move(*pw);
    return c;
}

}  // namespace nullrelay
