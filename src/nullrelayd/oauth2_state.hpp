// What the OAuth2 client keeps on disk, in oauth2_state_dir (default /var/lib/nullrelay:
// outside the spool, owned by the daemon user, not writable by anyone else):
//  - oauth2-refresh-token: the refresh token alone on its first line, owned by the daemon
//    user, mode 0600; written by `nullrelay oauth2 login` and replaced atomically (temporary
//    file, fsync, rename, directory fsync) when the provider rotates it;
//  - oauth2-status: what `nullrelay oauth2 status` shows (times and the last error; no
//    secret), rewritten the same way;
//  - oauth2.lock: one process at a time uses (and may rotate) the refresh token, so that the
//    daemon and `nullrelay check` never both spend the same one.
// Access tokens are never written anywhere. Threat: another local user reading or planting a
// token. The directory and the token file are checked at every use; a file that others can
// read, or that is not the daemon user's, is refused with a message saying how to fix it.
#pragma once

#include <cstdint>
#include <string>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace nullrelay {

// The status file's content. Times are seconds since the epoch, 0 when unknown.
struct OAuth2Status {
    std::int64_t token_obtained = 0;   // the last access token was obtained then
    std::int64_t token_expires = 0;    // and is valid until then
    std::int64_t refresh_saved = 0;    // the refresh token file was last written then
    std::int64_t refresh_expires = 0;  // the provider said the refresh token expires then
    std::int64_t error_at = 0;         // the last failure to obtain a token, and why
    std::string error;
    bool operator==(const OAuth2Status&) const = default;
};

std::string format_oauth2_status(const OAuth2Status& status);
// Unknown lines are skipped (a newer version's fields); a bad version line is an error.
Result<OAuth2Status> parse_oauth2_status(std::string_view text);

class OAuth2State {
  public:
    explicit OAuth2State(std::string dir) : dir_(std::move(dir)) {}

    const std::string& dir() const { return dir_; }
    std::string refresh_token_path() const { return dir_ + "/oauth2-refresh-token"; }
    std::string status_path() const { return dir_ + "/oauth2-status"; }

    // The directory exists and only its owner (the daemon user, or root) may write in it.
    Status check_dir() const;
    // The refresh token. EX_NOINPUT when there is none yet (the message says to log in),
    // EX_CONFIG when the file is unsafe (others may read it, not the daemon user's).
    Result<std::string> read_refresh_token() const;
    Status save_refresh_token(const std::string& token) const;
    // Changes whenever the refresh token file is replaced (a login): device, inode, time.
    std::string refresh_token_version() const;
    // Held while a refresh token is used; released when the descriptor closes.
    Result<UniqueFd> lock() const;

    OAuth2Status read_status() const;  // an empty status when there is none (or unreadable)
    Status write_status(const OAuth2Status& status) const;

  private:
    std::string dir_;
};

}  // namespace nullrelay
