// A blocking FIFO between the daemon's event loop and its delivery threads.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace nullrelay {

template <class T>
class WorkQueue {
  public:
    void push(T item) {
        {
            std::lock_guard lock(mutex_);
            items_.push_back(std::move(item));
        }
        cv_.notify_one();
    }
    // Blocks until an item arrives; nullopt once closed and empty.
    std::optional<T> pop() {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return closed_ || !items_.empty(); });
        if (items_.empty()) return std::nullopt;
        T item = std::move(items_.front());
        items_.pop_front();
        return item;
    }
    std::optional<T> try_pop() {
        std::lock_guard lock(mutex_);
        if (items_.empty()) return std::nullopt;
        T item = std::move(items_.front());
        items_.pop_front();
        return item;
    }
    // Hands back what was not taken yet.
    std::deque<T> close() {
        std::lock_guard lock(mutex_);
        closed_ = true;
        cv_.notify_all();
        return std::exchange(items_, {});
    }
    void reopen() {
        std::lock_guard lock(mutex_);
        closed_ = false;
    }

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<T> items_;
    bool closed_ = false;
};

}  // namespace nullrelay
