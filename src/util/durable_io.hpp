// File operations with the durability rules of the spool: a file counts as written only after
// fsync, a rename or an unlink only after the directory is fsynced.
#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"
#include "util/sys_error.hpp"
#include "util/unique_fd.hpp"

namespace nullrelay {

// Writes all of data, retrying short writes and EINTR. ENOSPC/EDQUOT map to EX_TEMPFAIL.
Status write_all(int fd, std::string_view data, std::string_view what);

Status fsync_fd(int fd, std::string_view what);

// Asks the kernel to start writing the file's dirty pages now, without waiting (a hint: the
// fsync that must follow still decides, and reports any error). Files of a batch written
// this way, then fsynced, share the journal commits that their fsyncs one by one would each
// wait for (docs/queue.md, "What pickup costs").
void start_writeback(int fd);

// Opens a directory for openat()/fsync use.
Result<UniqueFd> open_dir(const std::string& path);

// Writes content to dir/tmp_name, fsyncs it and renames it over dir/final_name. Either the old
// or the new file is there after a crash, never half of one; the new one is there for sure
// only once the caller has fsynced dir (so a batch of files can share one directory fsync).
Status replace_file_unsynced(int dirfd, std::string_view tmp_name, std::string_view final_name,
                             std::string_view content, int mode);

// Replaces the file at `path` for good: content goes to a temporary file beside it (created
// anew with `mode`), which is fsynced and renamed over it, then the directory is fsynced. For
// files outside the spool that must never be half written (the OAuth2 refresh token).
Status replace_file_durably(const std::string& path, std::string_view content, int mode);

// An exclusive flock(2) on `path` (created with mode 0600 if missing), held until the
// descriptor closes; waits for another holder. For state outside the spool.
Result<UniqueFd> lock_file(const std::string& path);

// One read(2) of up to `size` bytes, EINTR retried: the bytes read (0 at the end of the
// file). Errors name the file.
Result<size_t> read_some(int fd, char* buf, size_t size, std::string_view name);
// Reads a whole (small) file; errors name the path.
Result<std::string> read_small_file(int dirfd, const std::string& name, size_t limit);
// The same from a file already open (and checked): what is read is what was checked.
Result<std::string> read_open_file(int fd, const std::string& name, size_t limit);

}  // namespace nullrelay
