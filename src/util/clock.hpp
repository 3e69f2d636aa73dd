// The wall clock as the queue counts it: seconds since the epoch (arrival, next attempt and
// expiry times in queue files are whole seconds of it). One definition, so that the daemon,
// the delivery engine and the queue commands agree on what "now" is, and one test seam
// (STYLE.md: the clock is where the world is): code that decides retries and expiry takes a
// Clock, which is the system clock unless a test hands it a set one, so tests step time
// instead of sleeping or faking ages.
#pragma once

#include <cstdint>
#include <functional>

namespace nullrelay {

// Seconds since the epoch, whole (for queue times).
std::int64_t now_seconds();
// The same with sub-second precision (for delays in log lines).
double now_seconds_exact();

// A source of now_seconds_exact(); the default is wall_clock() (the system clock). Tests use
// manual_clock().
using Clock = std::function<double()>;
Clock wall_clock();
// A clock that reads `*seconds` (owned by the test), so the test can move it.
Clock manual_clock(const double* seconds);

// Whole seconds of a Clock's reading (rounded down, like now_seconds()).
std::int64_t whole_seconds(const Clock& clock);

// Milliseconds of the monotonic clock, for timeouts and deadlines inside one process (never
// stored: it does not count from the epoch and does not jump with the wall clock).
std::int64_t monotonic_ms();

}  // namespace nullrelay
