// Tests for submitters.hpp: who submitted a message, looked up once per uid and batch.
#include <catch2/catch.hpp>

#include "queue/submitters.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace nullrelay;

TEST_CASE("SubmitterCache looks a uid up once until forget()", "[pickup]") {
    int lookups = 0;
    SubmitterCache cache([&](uid_t uid) {
        ++lookups;
        return Submitter{"user" + std::to_string(uid), "A User"};
    });
    CHECK(cache.get(1000).name == "user1000");
    CHECK(cache.get(1000).gecos_name == "A User");
    CHECK(cache.get(1001).name == "user1001");
    CHECK(lookups == 2);
    cache.forget();  // a new batch: a renamed user is seen
    CHECK(cache.get(1000).name == "user1000");
    CHECK(lookups == 3);
}

TEST_CASE("SubmitterCache is shared by the writers of a batch", "[pickup]") {
    std::atomic<int> lookups = 0;
    SubmitterCache cache([&](uid_t uid) {
        ++lookups;
        return Submitter{"user" + std::to_string(uid), ""};
    });
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t)
        writers.emplace_back([&] {
            for (uid_t uid = 0; uid < 100; ++uid)
                REQUIRE(cache.get(uid).name == "user" + std::to_string(uid));
        });
    for (auto& w : writers)
        w.join();
    // A uid asked for by two writers at once may be looked up twice, never more than once each.
    CHECK(lookups >= 100);
    CHECK(lookups <= 400);
}

TEST_CASE("look_up_submitter: root by name, an unknown uid as uid<N>", "[pickup]") {
    CHECK(look_up_submitter(0).name == "root");
    CHECK(look_up_submitter(4000000000u).name == "uid4000000000");
}
