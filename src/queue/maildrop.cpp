#include "queue/maildrop.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

#include <fmt/format.h>

#include "queue/directory.hpp"
#include "queue/queue_id.hpp"
#include "util/durable_io.hpp"

namespace nullrelay {

namespace {

// The completion mark: set by the writer after its last write, and the only sign the daemon
// trusts that a file is whole.
constexpr mode_t kWritingMode = 0640;
constexpr mode_t kCompleteMode = 0740;
bool marked_complete(const struct stat& st) {
    return (st.st_mode & S_IXUSR) != 0;
}

}  // namespace

// ---- the writer (nullrelay-sendmail) ----

Result<MaildropWriter> MaildropWriter::create(const SpoolLayout& layout) {
    MaildropWriter w;
    auto dir = open_dir(layout.path(SpoolDir::maildrop));
    if (!dir) return Error{EX_TEMPFAIL, dir.error().message};
    w.dir_ = std::move(*dir);
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string id = new_queue_id(std::chrono::system_clock::now());
        int fd = ::openat(w.dir_.get(), id.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kWritingMode);
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

Status MaildropWriter::ensure_room(std::uint64_t reserve) const {
    // Threat: one user filling the file system stops everyone's mail, the daemon's envelope
    // updates and bounces with it. Below the reserve only the daemon writes.
    if (std::uint64_t free = free_bytes(dir_.get()); free < reserve)
        return Error{EX_TEMPFAIL,
                     fmt::format("the mail spool's file system has {} KiB free, less than the "
                                 "{} KiB it keeps in reserve (queue_minfree); try again later",
                                 free / 1024, reserve / 1024)};
    return ok_status();
}

MaildropWriter::~MaildropWriter() {
    if (fd_.valid() && !committed_) abandon();
}

Status MaildropWriter::write(std::string_view data) {
    return write_all(fd_.get(), data, "the message to the mail spool");
}

Status MaildropWriter::commit() {
    // The execute bit marks completion; fsync after it so the mark is as durable as the data.
    if (::fchmod(fd_.get(), kCompleteMode) != 0)
        return Error{EX_IOERR,
                     fmt::format("cannot mark the spool file complete: {}", errno_text(errno))};
    if (Status st = fsync_fd(fd_.get(), "the spool file"); !st) return st;
    if (Status st = fsync_fd(dir_.get(), "the spool directory"); !st) return st;
    committed_ = true;
    // Durable: the daemon may take it now. The lock goes before the close, whose inotify event
    // wakes the daemon (the kernel reports a close before it releases the file's locks).
    ::flock(fd_.get(), LOCK_UN);
    fd_.reset();
    return ok_status();
}

void MaildropWriter::abandon() {
    if (!fd_.valid()) return;
    // Without the group we cannot unlink; an empty, unmarked, unlocked file is the daemon's
    // signal to delete it. The mark goes first: a commit whose fsync failed may have set it,
    // and nothing of this file may be taken for a message. Emptying it also frees the space at
    // once on a full disk.
    if (::fchmod(fd_.get(), kWritingMode) != 0 || ::ftruncate(fd_.get(), 0) != 0) {
        // The lock still says "not complete" until we exit; the daemon removes it then.
    }
    fd_.reset();
}

// ---- the reader (nullrelayd) ----

std::vector<std::string> Maildrop::scan() const {
    return directory_names(dir_.get());
}

std::vector<std::string> Maildrop::complete_ids() const {
    std::vector<std::string> ids;
    for (std::string& name : directory_names(dir_.get())) {
        struct stat st;
        if (is_valid_queue_id(name) &&
            ::fstatat(dir_.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(st.st_mode) && marked_complete(st))
            ids.push_back(std::move(name));
    }
    return ids;
}

MaildropEntry Maildrop::open(const std::string& name) const {
    using State = MaildropEntry::State;
    MaildropEntry e;
    auto hostile = [&](std::string why) {
        e.state = State::hostile;
        e.problem = std::move(why);
        // Whose it is, for the notice that it was refused (the link itself, not its target).
        struct stat st;
        if (::fstatat(dir_.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) e.owner = st.st_uid;
        return std::move(e);
    };
    if (!is_valid_queue_id(name)) return hostile("file name is not a queue id");

    // Threat: a planted symlink or FIFO to make the daemon read or block on another file.
    UniqueFd fd(::openat(dir_.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) {
        if (errno == ENOENT) return e;  // gone
        if (errno == ELOOP) return hostile("symbolic link");
        e.state = State::unreadable;
        e.problem = fmt::format("cannot open: {}", errno_text(errno));
        return e;
    }
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) {
        e.state = State::unreadable;
        e.problem = errno_text(errno);
        return e;
    }
    if (!S_ISREG(st.st_mode)) return hostile("not a regular file");
    // Threat: a hard link to someone else's file, to have it sent.
    if (st.st_nlink != 1) return hostile("more than one link");
    e.size = st.st_size;

    // Its writer holds a lock while it lives: a file is complete only once it is marked AND
    // the lock is free (the mark comes before the fsyncs that make it durable, and a failed
    // commit takes it back). Unmarked with a free lock: the writer gave up.
    if (::flock(fd.get(), LOCK_SH | LOCK_NB) != 0) {
        e.state = State::being_written;
        return e;
    }
    if (!marked_complete(st)) {
        ::unlinkat(dir_.get(), name.c_str(), 0);
        e.state = State::abandoned;
        e.was_empty = st.st_size == 0;
        return e;
    }
    e.state = State::complete;
    e.fd = std::move(fd);
    e.owner = st.st_uid;
    e.completed = st.st_ctime;  // set by the kernel at the fchmod; the user cannot fake it
    return e;
}

bool Maildrop::contains(const std::string& name) const {
    struct stat st;
    return ::fstatat(dir_.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

void Maildrop::remove(const std::string& name) const {
    ::unlinkat(dir_.get(), name.c_str(), 0);
}

Status Maildrop::quarantine(const std::string& name) const {
    if (::renameat(dir_.get(), name.c_str(), corrupt_.get(), name.c_str()) != 0)
        return Error{EX_IOERR, fmt::format("cannot move maildrop/{} to corrupt/: {}", name,
                                           errno_text(errno))};
    return fsync_fd(corrupt_.get(), "corrupt directory");
}

bool Maildrop::quarantined(const std::string& name) const {
    struct stat st;
    return ::fstatat(corrupt_.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

}  // namespace nullrelay
