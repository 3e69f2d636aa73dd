// Tests for pickup_batch.hpp: the sizes of the batches a backlog is picked up in (issue 21).
#include <catch2/catch.hpp>

#include "nullrelayd/pickup_batch.hpp"

#include <vector>

using nullrelay::PickupBatchSize;

TEST_CASE("pickup batches start at one submission and grow fourfold up to the largest") {
    PickupBatchSize b;
    std::vector<std::size_t> sizes;
    for (int i = 0; i < 6; ++i)
        sizes.push_back(b.next());
    CHECK(sizes == std::vector<std::size_t>{1, 4, 16, 64, 64, 64});
}

TEST_CASE("an empty backlog starts the ramp again") {
    PickupBatchSize b;
    for (int i = 0; i < 10; ++i)
        b.next();
    b.reset();
    CHECK(b.next() == 1);
    CHECK(b.next() == 4);
}
