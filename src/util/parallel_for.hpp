// Runs a loop body on several threads and waits for all of it: for work that mostly waits for
// the disk (one fsync per item), where having several requests in flight lets the kernel and
// the device merge them.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace nullrelay {

// Calls body(i) for every i in [0, n), on up to `threads` threads (the caller's among them),
// and returns when every call has returned. body must not throw.
template <class Body>
void parallel_for(std::size_t n, std::size_t threads, const Body& body) {
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < n;)
            body(i);
    };
    std::vector<std::thread> helpers;
    for (std::size_t t = 1; t < std::min(threads, n); ++t)
        helpers.emplace_back(work);
    work();
    for (auto& h : helpers)
        h.join();
}

}  // namespace nullrelay
