#include "util/clock.hpp"

#include <chrono>
#include <cmath>

namespace nullrelay {

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

double now_seconds_exact() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Clock wall_clock() {
    return &now_seconds_exact;
}

Clock manual_clock(const double* seconds) {
    return [seconds] { return *seconds; };
}

std::int64_t whole_seconds(const Clock& clock) {
    return static_cast<std::int64_t>(std::floor(clock()));
}

std::int64_t monotonic_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace nullrelay
