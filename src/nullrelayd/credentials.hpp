// Loads the smarthost secret, or how to obtain it. Only the daemon calls this.
//
// Where the secret comes from, in this order:
//  - password_file: its first line;
//  - password_command: run by SmtpSession whenever it needs the secret (secret_command.hpp);
//  - neither: the systemd credential $CREDENTIALS_DIRECTORY/password (LoadCredential=);
//  - oauth2_grant: access tokens from the built-in OAuth2 client (oauth2_tokens.hpp), whose
//    client secret comes from oauth2_client_secret_file, oauth2_client_secret_command or the
//    systemd credential oauth2-client-secret, in that order (none: a public client).
// Threat: a secret other local users can read. A file readable by every user is refused, and
// so is one readable by a group other than the daemon's own; the same holds for tls_client_key.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "nullrelayd/oauth2_tokens.hpp"
#include "util/result.hpp"

namespace nullrelay {

struct Credentials {
    std::string user;
    std::string password;              // fixed secret (password_file, systemd credential)
    std::vector<std::string> command;  // or password_command's argv: run when needed
    AuthMechanism mechanism = AuthMechanism::automatic;
    // oauth2_grant: the bearer token comes from here (one per daemon, shared by every session).
    std::shared_ptr<OAuth2Tokens> oauth2;
    bool configured() const { return !user.empty(); }
};

Result<Credentials> load_credentials(const Config& config);

// The first line of a secret file, after the checks above (`what` names it in errors).
Result<std::string> read_secret_file(const std::string& path, const char* what);
// The same for a file already open as `fd`: checked and read through that descriptor only.
Result<std::string> read_secret(int fd, const std::string& path, const char* what);

// The OAuth2 client secret, checked like password_file. client_credentials needs one.
Result<ClientSecret> load_client_secret(const Config& config);

}  // namespace nullrelay
