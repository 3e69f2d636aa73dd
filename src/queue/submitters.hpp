// Who submitted a message, from the password database: the login name for the envelope (and
// for a listing of a submission not yet picked up) and the full name for a From: pickup writes.
#pragma once

#include <sys/types.h>

#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace nullrelay {

struct Submitter {
    std::string name;        // a plain login name, or "uid<N>" when it has none or an odd one
    std::string gecos_name;  // the GECOS field up to its first comma, control characters blanked
};

Submitter look_up_submitter(uid_t uid);

// Pickup needs the submitter of every message, and NSS reads /etc/passwd for each lookup
// (6 system calls and a 16 KiB buffer). This remembers them until forget(), which pickup calls
// at the start of each batch: a renamed user is seen by the next batch. Thread-safe: the
// writers of a batch share it.
class SubmitterCache {
  public:
    explicit SubmitterCache(std::function<Submitter(uid_t)> look_up = look_up_submitter)
        : look_up_(std::move(look_up)) {}

    Submitter get(uid_t uid);
    void forget();

  private:
    std::function<Submitter(uid_t)> look_up_;
    std::mutex mutex_;
    std::unordered_map<uid_t, Submitter> known_;
};

}  // namespace nullrelay
