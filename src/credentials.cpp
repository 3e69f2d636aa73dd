#include "credentials.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include "durable_io.hpp"

namespace nullrelay {

Result<Credentials> load_credentials(const Config& config) {
    Credentials c;
    if (config.auth_user.empty()) return c;
    c.user = config.auth_user;
    UniqueFd fd(::open(config.password_file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid())
        return Error{EX_CONFIG, fmt::format("cannot read password_file {}: {}",
                                            config.password_file, errno_text(errno))};
    struct stat st;
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return Error{EX_CONFIG,
                     fmt::format("password_file {} is not a regular file", config.password_file)};
    if (st.st_mode & S_IROTH)
        return Error{EX_CONFIG, fmt::format("password_file {} is readable by every user; "
                                            "chmod 600 it (owner: the nullrelay user)",
                                            config.password_file)};
    auto text = read_small_file(AT_FDCWD, config.password_file, 64 * 1024);
    if (!text) return Error{EX_CONFIG, text.error().message};
    std::string pw = *text;
    pw = pw.substr(0, pw.find('\n'));
    if (!pw.empty() && pw.back() == '\r') pw.pop_back();
    if (pw.empty())
        return Error{EX_CONFIG, fmt::format("password_file {} is empty", config.password_file)};
    c.password = std::move(pw);
    return c;
}

}  // namespace nullrelay
