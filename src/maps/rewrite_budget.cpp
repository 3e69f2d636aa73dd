#include "maps/rewrite_budget.hpp"

#include <time.h>

namespace nullrelay {

namespace {

std::int64_t thread_cpu_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

RewriteBudget::RewriteBudget(std::chrono::milliseconds limit)
    : start_ns_(thread_cpu_ns()), limit_(limit) {}

bool RewriteBudget::spent() {
    if (spent_ || (calls_++ % 16) != 0) return spent_;
    spent_ = thread_cpu_ns() - start_ns_ >= limit_.count() * 1'000'000;
    return spent_;
}

}  // namespace nullrelay
