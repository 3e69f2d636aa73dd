// How many maildrop submissions the daemon hands to its pickup thread at once (issue 21).
// A batch shares its two directory fsyncs (docs/queue.md), so large batches are cheaper per
// message; but none of a batch's messages can be delivered before the whole batch is durable.
// So the batches of a backlog start at one message and grow fourfold up to the largest (1, 4,
// 16, 64): the first delivery waits for one message's commit, not for 64, and a long backlog
// goes 64 at a time from its fourth batch (three batches more than fixed batches of 64: six
// directory fsyncs; doubling cost twelve). An empty backlog starts the ramp again.
#pragma once

#include <algorithm>
#include <cstddef>

namespace nullrelay {

class PickupBatchSize {
  public:
    static constexpr std::size_t kFirst = 1;
    static constexpr std::size_t kLargest = 64;

    // The size of the batch to send now; the one after it is four times as large (up to
    // kLargest).
    std::size_t next() {
        std::size_t n = size_;
        size_ = std::min(kLargest, size_ * 4);
        return n;
    }
    // The backlog ran empty: the next submissions start small again.
    void reset() { size_ = kFirst; }

  private:
    std::size_t size_ = kFirst;
};

}  // namespace nullrelay
