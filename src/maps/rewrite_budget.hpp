// A bound on the CPU time that rewriting one message's addresses may take. Threat: a local user
// who sends to thousands of names that a careless alias rule (/^(a+)+$/) backtracks on, each
// lookup running to PCRE2's match limit, so that one message keeps pickup busy for minutes.
// Counted in the rewriting thread's own CPU time, so a busy machine does not spend it.
#pragma once

#include <chrono>
#include <cstdint>

namespace nullrelay {

inline constexpr std::chrono::milliseconds kRewriteBudget{5000};

class RewriteBudget {
  public:
    // Starts counting now, in the calling thread (which must do all the rewriting).
    explicit RewriteBudget(std::chrono::milliseconds limit = kRewriteBudget);
    // True once `limit` of CPU time has gone since the start (looked up at most every 16 calls,
    // which are each one map lookup: the clock costs a system call).
    bool spent();
    std::chrono::milliseconds limit() const { return limit_; }

  private:
    std::int64_t start_ns_;
    std::chrono::milliseconds limit_;
    unsigned calls_ = 0;
    bool spent_ = false;
};

}  // namespace nullrelay
