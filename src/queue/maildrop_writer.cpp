#include "queue/maildrop_writer.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

#include <fmt/format.h>

#include "queue/queue_id.hpp"
#include "util/durable_io.hpp"
#include "util/sys_error.hpp"

namespace nullrelay {

Result<MaildropWriter> MaildropWriter::create(int maildrop_fd) {
    MaildropWriter w;
    w.dir_fd_ = maildrop_fd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string id = new_queue_id(std::chrono::system_clock::now());
        int fd = ::openat(maildrop_fd, id.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
        if (fd < 0 && errno == EEXIST) continue;
        if (fd < 0) {
            int err = errno;
            return Error{
                err == ENOSPC || err == EDQUOT ? EX_TEMPFAIL : EX_CANTCREAT,
                fmt::format("cannot create a file in the mail spool: {}", errno_text(err))};
        }
        w.fd_.reset(fd);
        w.id_ = id;
        // Held until this process exits: tells the daemon the file is still being written.
        if (::flock(fd, LOCK_EX) != 0)
            return Error{EX_OSERR,
                         fmt::format("cannot lock the spool file: {}", errno_text(errno))};
        return w;
    }
    return Error{EX_TEMPFAIL, "cannot find a free queue id in the mail spool"};
}

MaildropWriter::~MaildropWriter() {
    if (fd_.valid() && !committed_) abandon();
}

Status MaildropWriter::write(std::string_view data) {
    return write_all(fd_.get(), data, "the message to the mail spool");
}

Status MaildropWriter::commit() {
    // The execute bit marks completion; fsync after it so the mark is as durable as the data.
    if (::fchmod(fd_.get(), 0740) != 0)
        return Error{EX_IOERR,
                     fmt::format("cannot mark the spool file complete: {}", errno_text(errno))};
    if (Status st = fsync_fd(fd_.get(), "the spool file"); !st) return st;
    if (Status st = fsync_fd(dir_fd_, "the spool directory"); !st) return st;
    committed_ = true;
    return ok_status();
}

void MaildropWriter::abandon() {
    if (!fd_.valid()) return;
    // Without the group we cannot unlink; an empty, unmarked, unlocked file is the daemon's
    // signal to delete it. Emptying it also frees the space at once on a full disk.
    if (::ftruncate(fd_.get(), 0) != 0) { /* the daemon removes it all the same */
    }
    fd_.reset();
}

}  // namespace nullrelay
