#include "util/durable_io.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

namespace nullrelay {

static int exit_code_for_write_errno(int err) {
    // A full disk or quota is a condition that passes: the caller may try again later.
    return (err == ENOSPC || err == EDQUOT || err == EIO) ? EX_TEMPFAIL : EX_IOERR;
}

Status write_all(int fd, std::string_view data, std::string_view what) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            return Error{exit_code_for_write_errno(err),
                         fmt::format("cannot write {}: {}", what, errno_text(err))};
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
    return ok_status();
}

Status fsync_fd(int fd, std::string_view what) {
    if (::fsync(fd) != 0) {
        int err = errno;
        return Error{exit_code_for_write_errno(err),
                     fmt::format("cannot sync {} to disk: {}", what, errno_text(err))};
    }
    return ok_status();
}

void start_writeback(int fd) {
    // Only SYNC_FILE_RANGE_WRITE: nothing is waited for, so no write error is consumed here
    // and the fsync that follows reports it.
    (void)::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

Result<UniqueFd> open_dir(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) {
        int err = errno;
        return Error{err == ENOENT ? EX_CONFIG : EX_NOPERM,
                     fmt::format("cannot open directory {}: {}", path, errno_text(err))};
    }
    return fd;
}

Status replace_file_unsynced(int dirfd, std::string_view tmp_name, std::string_view final_name,
                             std::string_view content, int mode) {
    std::string tmp(tmp_name), fin(final_name);
    UniqueFd fd(
        ::openat(dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd.valid()) {
        int err = errno;
        return Error{exit_code_for_write_errno(err),
                     fmt::format("cannot create {}: {}", tmp, errno_text(err))};
    }
    Status st = write_all(fd.get(), content, tmp);
    if (st) st = fsync_fd(fd.get(), tmp);
    if (st && ::renameat(dirfd, tmp.c_str(), dirfd, fin.c_str()) != 0) {
        int err = errno;
        st = Error{exit_code_for_write_errno(err),
                   fmt::format("cannot rename {} to {}: {}", tmp, fin, errno_text(err))};
    }
    if (!st) ::unlinkat(dirfd, tmp.c_str(), 0);
    return st;
}

Status replace_file_durably(const std::string& path, std::string_view content, int mode) {
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    const std::string name = path.substr(slash == std::string::npos ? 0 : slash + 1);
    auto dirfd = open_dir(dir);
    if (!dirfd) return dirfd.error();
    const std::string tmp = "." + name + ".tmp";
    // A leftover temporary file would keep its old mode through O_CREAT: start afresh.
    ::unlinkat(dirfd->get(), tmp.c_str(), 0);
    if (Status st = replace_file_unsynced(dirfd->get(), tmp, name, content, mode); !st)
        return Error{st.error().exit_code, fmt::format("{} (in {})", st.error().message, dir)};
    return fsync_fd(dirfd->get(), dir);
}

Result<UniqueFd> lock_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid()) {
        int err = errno;
        return Error{EX_CANTCREAT, fmt::format("cannot open {}: {}", path, errno_text(err))};
    }
    while (::flock(fd.get(), LOCK_EX) != 0) {
        if (errno == EINTR) continue;
        int err = errno;
        return Error{EX_IOERR, fmt::format("cannot lock {}: {}", path, errno_text(err))};
    }
    return fd;
}

Result<std::string> read_small_file(int dirfd, const std::string& name, size_t limit) {
    UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) {
        int err = errno;
        return Error{err == ENOENT ? EX_NOINPUT : EX_IOERR,
                     fmt::format("cannot open {}: {}", name, errno_text(err))};
    }
    return read_open_file(fd.get(), name, limit);
}

Result<size_t> read_some(int fd, char* buf, size_t size, std::string_view name) {
    for (;;) {
        ssize_t n = ::read(fd, buf, size);
        if (n >= 0) return static_cast<size_t>(n);
        if (errno == EINTR) continue;
        int err = errno;
        return Error{EX_IOERR, fmt::format("cannot read {}: {}", name, errno_text(err))};
    }
}

Result<std::string> read_open_file(int fd, const std::string& name, size_t limit) {
    std::string out;
    char buf[8192];
    for (;;) {
        auto n = read_some(fd, buf, sizeof buf, name);
        if (!n) return n.error();
        if (*n == 0) break;
        out.append(buf, *n);
        if (out.size() > limit)
            return Error{EX_DATAERR, fmt::format("{} is larger than {} bytes", name, limit)};
    }
    return out;
}

}  // namespace nullrelay
