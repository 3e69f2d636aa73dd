// Delivers one queued message: one SMTP transaction with all its pending recipients, through
// the smarthosts in order until one gives a verdict; then records the result in the queue
// (docs/queue.md): all done -> removed; some left -> retry later with backoff; too old ->
// the rest fails; failed recipients -> failed/ (kept for the admin; never dropped).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "smtp_session.hpp"
#include "spool.hpp"

namespace nullrelay {

// Seconds to wait after the n-th failed attempt (n >= 1): retry_min doubling to retry_max.
std::int64_t backoff_seconds(const Config& config, int attempts);

class Deliverer {
  public:
    Deliverer(Spool& spool, const Config& config, const Credentials& credentials,
              const std::atomic<bool>* abort_flag);
    ~Deliverer();

    // Returns when the message wants its next attempt (seconds since the epoch), or nullopt
    // when it has left the queue (delivered, failed) or cannot be handled now.
    std::optional<std::int64_t> deliver(const std::string& id);

  private:
    SmtpSession& session(size_t index);

    Spool& spool_;
    const Config& config_;
    Credentials credentials_;
    const std::atomic<bool>* abort_flag_;
    std::vector<std::unique_ptr<SmtpSession>> sessions_;  // one per smarthost, made on first use
};

}  // namespace nullrelay
