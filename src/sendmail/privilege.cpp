#include "sendmail/privilege.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

#include "util/sys_error.hpp"

namespace nullrelay {

void sanitize_process() {
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
            int nfd = ::open("/dev/null", O_RDWR);
            if (nfd < 0) std::_Exit(EX_OSERR);
            if (nfd != fd) {  // open returns the lowest free fd, so nfd == fd here
                ::dup2(nfd, fd);
                ::close(nfd);
            }
        }
    }
    ::umask(027);  // maildrop files must stay group-readable for the daemon
    ::clearenv();
    ::setenv("PATH", "/usr/bin:/bin", 1);
}

Status drop_group_privilege() {
    gid_t real = ::getgid();
    if (::setresgid(real, real, real) != 0)
        return Error{EX_OSERR, fmt::format("cannot drop group privilege: {}", errno_text(errno))};
    gid_t r, e, s;
    if (::getresgid(&r, &e, &s) != 0 || r != real || e != real || s != real)
        return Error{EX_OSERR, "group privilege still held after dropping it"};
    return ok_status();
}

}  // namespace nullrelay
