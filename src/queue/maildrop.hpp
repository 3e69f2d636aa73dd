// maildrop/: where nullrelay-sendmail leaves submissions for the daemon. This file owns the
// whole protocol between the two (docs/queue.md); no other code opens, lists, marks or
// removes anything in maildrop/ or corrupt/.
//
// The protocol: the writer creates its file with O_EXCL, mode 0640, and holds an exclusive
// flock on it until it is done with it. To commit, it sets the owner-execute bit (fchmod after
// the last write), fsyncs the file and the directory, and only then releases the lock; only
// then may sendmail exit 0. If an fsync fails it takes the mark back and empties the file. The
// daemon takes a file only when it is marked AND its lock is free; one unmarked with a free
// lock was abandoned (an error, a kill -9) and is removed. A marked file whose writer died
// before its fsyncs ended is taken (the caller saw a failure and may submit again: at worst a
// duplicate, never a loss). The file's content is maildrop_format.hpp's.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "queue/spool_layout.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace nullrelay {

// The submission side (nullrelay-sendmail): create a file, fill it, mark it complete.
class MaildropWriter {
  public:
    // Opens maildrop/ and creates maildrop/<new id> in it. This is the step that needs the
    // submission group; everything after it runs without.
    static Result<MaildropWriter> create(const SpoolLayout& layout);

    MaildropWriter(MaildropWriter&&) = default;
    MaildropWriter& operator=(MaildropWriter&&) = default;
    ~MaildropWriter();  // abandons the file unless committed

    const std::string& id() const { return id_; }
    // EX_TEMPFAIL when the spool's file system has less than `reserve` bytes free
    // (queue_minfree): below it, only the daemon writes.
    Status ensure_room(std::uint64_t reserve) const;
    Status write(std::string_view data);
    // Marks the file complete, makes it durable and lets it go (the lock is released and the
    // file closed). Only after this returns ok may sendmail exit 0.
    Status commit();
    // Empties the file and gives it up; the daemon removes it.
    void abandon();

  private:
    MaildropWriter() = default;

    UniqueFd dir_;
    UniqueFd fd_;
    std::string id_;
    bool committed_ = false;
};

// One file of maildrop/ as the daemon finds it.
struct MaildropEntry {
    enum class State {
        complete,       // marked complete, a regular file with one link: `fd` reads it
        being_written,  // its writer still holds the lock (marked or not): wait for it
        abandoned,      // not marked and nobody writes it: removed now
        gone,           // not there (any more)
        hostile,        // a link, a FIFO, a hard link, a name that is not a queue id...:
                        // `problem` says which; to be quarantined, never read
        unreadable,     // cannot be looked at now (EMFILE, EIO...): `problem` says; try later
    };
    State state = State::gone;
    std::string problem;
    UniqueFd fd;      // complete: open for reading, at offset 0
    uid_t owner = 0;  // complete, hostile: who owns it (the kernel's word, not the file's)
    std::time_t completed = 0;  // complete: its ctime, set by the kernel when it was marked
    off_t size = 0;
    bool was_empty = false;  // abandoned: nothing had been written (sendmail -bp, -q, -bs)
};

// The daemon's side (and root's, without a daemon): find, read, remove and quarantine.
// Everything in maildrop/ is hostile input (any local user writes there).
class Maildrop {
  public:
    Maildrop() = default;
    Maildrop(std::string path, UniqueFd dir, UniqueFd corrupt_dir)
        : path_(std::move(path)), dir_(std::move(dir)), corrupt_(std::move(corrupt_dir)) {}

    // For watching with inotify; nothing is opened through it.
    const std::string& path() const { return path_; }

    // Every name in maildrop/, oldest first (queue ids sort by time).
    std::vector<std::string> scan() const;
    // The submissions that are complete (for `flush --wait` without a daemon).
    std::vector<std::string> complete_ids() const;
    // Looks at one file and opens it when it is complete; removes it when it was abandoned.
    MaildropEntry open(const std::string& name) const;
    bool contains(const std::string& name) const;
    // Removes a submission that is now queued (or was already).
    void remove(const std::string& name) const;
    // Moves a file aside to corrupt/, for the admin: never deleted, never delivered.
    Status quarantine(const std::string& name) const;
    bool quarantined(const std::string& name) const;

  private:
    std::string path_;
    UniqueFd dir_, corrupt_;
};

}  // namespace nullrelay
