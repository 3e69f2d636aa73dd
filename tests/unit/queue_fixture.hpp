// Shared by the queue tests: a private spool removed at the end, a scripted stand-in for
// the daemon's schedule, and envelopes to fill the spool with.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "control/queue_commands.hpp"
#include "queue/spool.hpp"

namespace nullrelay::test {

struct TempSpool {
    std::string root;
    TempSpool() {
        char tmpl[] = "/tmp/nullrelay-queue-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        root = tmpl;
        REQUIRE(Spool::create(root));
    }
    ~TempSpool() { std::filesystem::remove_all(root); }
    bool exists(const std::string& rel) const { return std::filesystem::exists(root + "/" + rel); }
    void write(const std::string& rel, const std::string& text) const {
        std::ofstream(root + "/" + rel, std::ios::binary) << text;
    }
};

// The daemon's schedule, scripted.
struct FakeDeliveryState : DeliveryState {
    std::set<std::string> flying;
    std::map<std::string, std::int64_t> scheduled;
    int pickups = 0;
    bool in_flight(const std::string& id) const override { return flying.count(id) > 0; }
    bool due(const std::string& id) const override {
        auto it = scheduled.find(id);
        return it != scheduled.end() && it->second == 0;
    }
    void schedule(const std::string& id, std::int64_t when) override { scheduled[id] = when; }
    void unschedule(const std::string& id) override { scheduled.erase(id); }
    void pick_up() override { ++pickups; }
    std::optional<bool> paused;  // the last set_paused
    void set_paused(bool p) override { paused = p; }
    // The daemon's index of submitters, when a test gives one.
    std::optional<std::map<std::uint32_t, std::vector<std::string>>> index;
    std::optional<std::vector<std::string>> submitted_by(std::uint32_t uid) const override {
        if (!index) return std::nullopt;
        auto it = index->find(uid);
        return it == index->end() ? std::vector<std::string>() : it->second;
    }
    // What the daemon remembers of each envelope's attempts, when a test gives it.
    std::map<std::string, bool> known_attempted;
    std::optional<bool> attempted(const std::string& id) const override {
        auto it = known_attempted.find(id);
        if (it == known_attempted.end()) return std::nullopt;
        return it->second;
    }
    std::map<std::string, std::string> left;  // how messages left the queue
    std::string left_queue_as(const std::string& id) const override {
        auto it = left.find(id);
        return it == left.end() ? "" : it->second;
    }
};

inline Envelope envelope(const std::string& id, std::uint32_t uid, const std::string& rcpt) {
    Envelope e;
    e.id = id;
    e.arrival = 1717243200;
    e.submitter_uid = uid;
    e.submitter_name = uid == 0 ? "root" : "alice";
    e.sender = uid == 0 ? "root@example.org" : "alice@example.org";
    e.size = 100;
    e.attempts = 3;
    e.next_attempt = 1717250000;
    e.recipients = {{rcpt, "", RecipientState::pending, "451 later"}};
    return e;
}

inline Spool open_spool(const std::string& root) {
    auto s = Spool::open(root);
    REQUIRE(s);
    return std::move(*s);
}

}  // namespace nullrelay::test
