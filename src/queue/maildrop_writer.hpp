// The submission side of maildrop/: create a file, fill it, mark it complete.
//
// Protocol with the daemon (docs/queue.md): the file is created with O_EXCL, mode 0640, and
// held under an exclusive flock while it is written. It is complete once its owner-execute bit
// is set (fchmod after the last write) and it has been fsynced with its directory. A file
// without that bit whose lock is free was abandoned (error, kill -9): the daemon deletes it.
#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace nullrelay {

class MaildropWriter {
  public:
    // Creates maildrop/<new id>. `maildrop_fd` is the open maildrop directory. This is the
    // step that needs the nullrelay group; everything after it runs without.
    static Result<MaildropWriter> create(int maildrop_fd);

    MaildropWriter(MaildropWriter&&) = default;
    MaildropWriter& operator=(MaildropWriter&&) = default;
    ~MaildropWriter();  // abandons the file unless committed

    const std::string& id() const { return id_; }
    Status write(std::string_view data);
    // Marks the file complete and makes it durable. Only after this returns ok may
    // sendmail exit 0.
    Status commit();
    // Empties the file and gives it up; the daemon removes it.
    void abandon();

  private:
    MaildropWriter() = default;

    int dir_fd_ = -1;
    UniqueFd fd_;
    std::string id_;
    bool committed_ = false;
};

}  // namespace nullrelay
