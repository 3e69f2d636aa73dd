#include "nullrelayd/oauth2_state.hpp"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

#include <fmt/format.h>

#include "util/durable_io.hpp"
#include "util/sys_error.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

constexpr std::string_view kStatusVersion = "nullrelay-oauth2-status 1";

// Who may change what is in a file or directory: its owner, and a group-writable mode's group.
std::string unsafe_owner(const struct stat& st) {
    if (st.st_uid != ::geteuid() && st.st_uid != 0)
        return fmt::format("is owned by uid {}, not by the nullrelay user", st.st_uid);
    if (st.st_mode & S_IWOTH) return "is writable by every user";
    if ((st.st_mode & S_IWGRP) && st.st_gid != ::getegid())
        return fmt::format("is writable by group {}", st.st_gid);
    return "";
}

}  // namespace

std::string format_oauth2_status(const OAuth2Status& s) {
    std::string out = std::string(kStatusVersion) + "\n";
    auto line = [&out](std::string_view key, std::int64_t v) {
        if (v) out += fmt::format("{} {}\n", key, v);
    };
    line("token_obtained", s.token_obtained);
    line("token_expires", s.token_expires);
    line("refresh_saved", s.refresh_saved);
    line("refresh_expires", s.refresh_expires);
    line("error_at", s.error_at);
    if (!s.error.empty()) out += fmt::format("error {}\n", one_line(s.error));
    return out;
}

Result<OAuth2Status> parse_oauth2_status(std::string_view text) {
    auto lines = split(text, '\n');
    if (lines.empty() || lines.front() != kStatusVersion)
        return Error{EX_DATAERR, "not an OAuth2 status file (bad version line)"};
    OAuth2Status s;
    for (size_t i = 1; i < lines.size(); ++i) {
        std::string_view l = lines[i];
        size_t sp = l.find(' ');
        std::string_view key = l.substr(0, sp);
        std::string_view value = sp == std::string_view::npos ? "" : l.substr(sp + 1);
        if (key == "error") {
            s.error = std::string(value);
            continue;
        }
        std::int64_t* field = key == "token_obtained"    ? &s.token_obtained
                              : key == "token_expires"   ? &s.token_expires
                              : key == "refresh_saved"   ? &s.refresh_saved
                              : key == "refresh_expires" ? &s.refresh_expires
                              : key == "error_at"        ? &s.error_at
                                                         : nullptr;
        if (!field) continue;
        std::int64_t v = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
        if (ec != std::errc() || end != value.data() + value.size())
            return Error{EX_DATAERR, fmt::format("bad {} in the OAuth2 status file", key)};
        *field = v;
    }
    return s;
}

Status OAuth2State::check_dir() const {
    struct stat st;
    if (::stat(dir_.c_str(), &st) != 0)
        return Error{EX_CONFIG, fmt::format("oauth2_state_dir {}: {} (create it, owned by the "
                                            "nullrelay user, mode 0700)",
                                            dir_, errno_text(errno))};
    if (!S_ISDIR(st.st_mode))
        return Error{EX_CONFIG, fmt::format("oauth2_state_dir {} is not a directory", dir_)};
    if (std::string why = unsafe_owner(st); !why.empty())
        return Error{EX_CONFIG, fmt::format("oauth2_state_dir {} {}; it holds the refresh token: "
                                            "chown it to the nullrelay user, chmod 700",
                                            dir_, why)};
    return ok_status();
}

Result<std::string> OAuth2State::read_refresh_token() const {
    if (Status st = check_dir(); !st) return st.error();
    const std::string path = refresh_token_path();
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid()) {
        int err = errno;
        if (err == ENOENT)
            return Error{EX_NOINPUT, fmt::format("no refresh token yet ({} does not exist): run "
                                                 "`nullrelay oauth2 login`",
                                                 path)};
        return Error{EX_CONFIG, fmt::format("cannot read {}: {}", path, errno_text(err))};
    }
    struct stat st;
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return Error{EX_CONFIG, fmt::format("{} is not a regular file", path)};
    // Threat: a refresh token other users can read is theirs to send mail with.
    if (st.st_uid != ::geteuid() || (st.st_mode & 077))
        return Error{EX_CONFIG,
                     fmt::format("{} must be owned by the nullrelay user (uid {}) with mode 0600 "
                                 "(it is uid {}, mode {:04o}): chown and chmod it, or log in "
                                 "again",
                                 path, ::geteuid(), st.st_uid, st.st_mode & 07777)};
    std::string text;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return Error{EX_IOERR, fmt::format("cannot read {}: {}", path, errno_text(errno))};
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
        if (text.size() > 64 * 1024) return Error{EX_CONFIG, fmt::format("{} is too large", path)};
    }
    explicit_bzero(buf, sizeof buf);
    std::string token(trim(text.substr(0, text.find('\n'))));
    explicit_bzero(text.data(), text.size());
    if (token.empty())
        return Error{EX_NOINPUT, fmt::format("{} is empty: run `nullrelay oauth2 login`", path)};
    return token;
}

Status OAuth2State::save_refresh_token(const std::string& token) const {
    if (Status st = check_dir(); !st) return st;
    std::string content = token + "\n";
    Status st = replace_file_durably(refresh_token_path(), content, 0600);
    explicit_bzero(content.data(), content.size());
    return st;
}

std::string OAuth2State::refresh_token_version() const {
    struct stat st;
    if (::stat(refresh_token_path().c_str(), &st) != 0) return "none";
    return fmt::format("{}:{}:{}.{}:{}", st.st_dev, st.st_ino, st.st_mtim.tv_sec,
                       st.st_mtim.tv_nsec, st.st_size);
}

Result<UniqueFd> OAuth2State::lock() const {
    if (Status st = check_dir(); !st) return st.error();
    return lock_file(dir_ + "/oauth2.lock");
}

OAuth2Status OAuth2State::read_status() const {
    auto text = read_small_file(AT_FDCWD, status_path(), 64 * 1024);
    if (!text) return {};
    auto status = parse_oauth2_status(*text);
    return status ? *status : OAuth2Status{};
}

Status OAuth2State::write_status(const OAuth2Status& status) const {
    return replace_file_durably(status_path(), format_oauth2_status(status), 0600);
}

}  // namespace nullrelay
