#include "queue/queue_id.hpp"

#include <sys/random.h>

#include <fmt/format.h>

namespace nullrelay {

std::string new_queue_id(std::chrono::system_clock::time_point now) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch());
    unsigned int rnd = 0;
    if (::getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != sizeof rnd)
        rnd = static_cast<unsigned>(us.count());
    return fmt::format("{:013X}{:03X}",
                       static_cast<unsigned long long>(us.count()) & 0xFFFFFFFFFFFFFull,
                       rnd & 0xFFFu);
}

bool is_valid_queue_id(std::string_view id) {
    if (id.size() != 16) return false;
    for (char c : id)
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
    return true;
}

}  // namespace nullrelay
