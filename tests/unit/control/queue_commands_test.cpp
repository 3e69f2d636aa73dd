// Tests for queue_commands.hpp on a private spool with a scripted DeliveryState: each command
// moves exactly what it should, refuses messages in flight, reports unknown ids and corrupt
// files, filters listings by submitter, and OfflineDeliveryState writes next_attempt.
#include "control/queue_commands.hpp"
#include "queue_fixture.hpp"

#include <catch2/catch.hpp>

#include <sysexits.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

using namespace nullrelay;
using namespace nullrelay::test;

namespace {

struct Collector : ReplySink {
    std::vector<ListedMessage> messages;
    std::vector<Error> problems;
    std::vector<Outcome> results;
    std::vector<std::string> waits;
    UniqueFd fd;
    void message(const ListedMessage& m) override { messages.push_back(m); }
    void problem(const Error& e) override { problems.push_back(e); }
    void result(const Outcome& o) override { results.push_back(o); }
    void waiting(const std::string& id) override { waits.push_back(id); }
    void content(UniqueFd f) override { fd = std::move(f); }
    std::map<std::string, std::pair<int, std::string>> by_id() const {
        std::map<std::string, std::pair<int, std::string>> out;
        for (const auto& r : results)
            out[r.id] = {r.code, r.text};
        return out;
    }
};

const std::string kA = "0619A2B3C4D5E001", kB = "0619A2B3C4D5E002", kC = "0619A2B3C4D5E003",
                  kD = "0619A2B3C4D5E004", kUnknown = "0619A2B3C4D5EFFF";

// A in queue/ (uid 0), B in queue/ (uid 1000), C in hold/, D in failed/ with a bounce.
struct Fixture {
    TempSpool t;
    Spool spool = open_spool(t.root);
    FakeDeliveryState sched;
    QueueCommands cmds{spool, sched};
    Fixture() {
        auto add = [&](Place p, Envelope e) {
            REQUIRE(spool.store(p, e));
            t.write("data/" + e.id, "Subject: " + e.id + "\r\n\r\nbody\r\n");
        };
        add(Place::queue, envelope(kA, 0, "ops@example.net"));
        add(Place::queue, envelope(kB, 1000, "bob@example.com"));
        add(Place::hold, envelope(kC, 0, "ops@example.net"));
        Envelope d = envelope(kD, 1000, "nobody@example.com");
        d.recipients[0].state = RecipientState::bounced;
        d.recipients[0].last_reply = "550 5.1.1 no such user";
        add(Place::failed, d);
        sched.scheduled = {{kA, 1717250000}, {kB, 1717250000}};
    }
    Collector act(Action action, Selection sel, bool wait = false) {
        Collector c;
        Request r{action, std::move(sel), wait};
        pending = cmds.act(r, c);
        return c;
    }
    std::vector<std::string> pending;
};

Selection ids(std::vector<std::string> list) {
    Selection s;
    s.ids = std::move(list);
    return s;
}

Selection all() {
    Selection s;
    s.all = true;
    return s;
}

}  // namespace

TEST_CASE("list: everything, oldest first, active marked, or one submitter's", "[queue_commands]") {
    Fixture f;
    f.sched.flying = {kB};
    Collector c;
    f.cmds.list({}, std::nullopt, c);
    REQUIRE(c.messages.size() == 4);
    CHECK(c.messages[0].envelope.id == kA);
    CHECK(c.messages[1].active);
    CHECK(c.messages[2].place == Place::hold);
    CHECK(c.messages[3].place == Place::failed);

    Collector mine;
    f.cmds.list({}, 1000u, mine);
    REQUIRE(mine.messages.size() == 2);
    CHECK(mine.messages[0].envelope.id == kB);
    CHECK(mine.messages[1].envelope.id == kD);

    Selection sel;
    sel.recipient = "*@example.net";
    Collector picked;
    f.cmds.list(sel, std::nullopt, picked);
    CHECK(picked.messages.size() == 2);  // A and C
}

TEST_CASE("list: a corrupt queue file is reported and skipped", "[queue_commands]") {
    Fixture f;
    f.t.write("queue/0619A2B3C4D5E000", "nullrelay-queue 1\nid 0619A2B3C4D5E000\ngarbage\n");
    Collector c;
    f.cmds.list({}, std::nullopt, c);
    CHECK(c.messages.size() == 4);  // the others are all there
    REQUIRE(c.problems.size() == 1);
    CHECK(c.problems[0].exit_code == EX_DATAERR);
    CHECK_THAT(c.problems[0].message, Catch::Contains("queue/0619A2B3C4D5E000"));
    // A user's own listing does not mention files that may be someone else's.
    Collector mine;
    f.cmds.list({}, 1000u, mine);
    CHECK(mine.problems.empty());
    // The admin can still delete it.
    Collector del = f.act(Action::remove, ids({"0619A2B3C4D5E000"}));
    CHECK(del.by_id().at("0619A2B3C4D5E000") == std::make_pair(EX_OK, std::string("deleted")));
    CHECK_FALSE(f.t.exists("queue/0619A2B3C4D5E000"));
}

TEST_CASE("show: envelope and content, or no such message", "[queue_commands]") {
    Fixture f;
    Collector c;
    f.cmds.show(kC, c);
    REQUIRE(c.messages.size() == 1);
    CHECK(c.messages[0].place == Place::hold);
    CHECK(c.fd.valid());
    Collector none;
    f.cmds.show(kUnknown, none);
    CHECK(none.by_id().at(kUnknown).first == EX_NOINPUT);
}

TEST_CASE("show: the content of a message queued as one file starts after its envelope",
          "[queue_commands]") {
    Fixture f;
    const std::string id = "0619A2B3C4D5E00A", content = "Subject: one file\r\n\r\nbody\r\n";
    Envelope e = envelope(id, 0, "ops@example.net");
    e.size = content.size();
    auto staged = f.spool.stage_message(e, content);
    REQUIRE(staged);
    std::vector<Spool::Staged> batch;
    batch.push_back({&e, std::move(*staged)});
    REQUIRE(f.spool.queue_staged(std::move(batch)).at(0));
    Collector c;
    f.cmds.show(id, c);
    REQUIRE(c.messages.size() == 1);
    REQUIRE(c.fd.valid());
    std::string got(4096, '\0');
    ssize_t n = ::read(c.fd.get(), got.data(), got.size());
    REQUIRE(n >= 0);
    got.resize(static_cast<size_t>(n));
    CHECK(got == content);
}

TEST_CASE("hold and release", "[queue_commands]") {
    Fixture f;
    Collector c = f.act(Action::hold, ids({kA, kC, kD, kUnknown}));
    auto r = c.by_id();
    CHECK(r.at(kA) == std::make_pair(EX_OK, std::string("placed on hold")));
    CHECK(r.at(kC).first == EX_OK);  // already held
    CHECK(r.at(kD).first == EX_USAGE);
    CHECK(r.at(kUnknown).first == EX_NOINPUT);
    CHECK(f.t.exists("hold/" + kA));
    CHECK_FALSE(f.t.exists("queue/" + kA));
    CHECK_FALSE(f.sched.scheduled.count(kA));  // no longer due for delivery

    Collector rel = f.act(Action::release, all());
    CHECK(rel.results.size() == 2);  // A and C: --all takes held messages only
    CHECK(f.t.exists("queue/" + kA));
    CHECK(f.t.exists("queue/" + kC));
    CHECK(f.sched.scheduled.at(kC) == 0);  // attempted at once

    // Without a daemon the schedule is the envelope's next_attempt.
    REQUIRE(f.spool.move(kA, Place::queue, Place::hold));
    OfflineDeliveryState spool_sched(f.spool);
    QueueCommands direct(f.spool, spool_sched);
    Collector rel2;
    direct.act({Action::release, ids({kA}), false}, rel2);
    CHECK(rel2.by_id().at(kA) == std::make_pair(EX_OK, std::string("released")));
    CHECK(f.spool.load(Place::queue, kA)->next_attempt == 0);
}

TEST_CASE("a message in flight is neither held nor deleted", "[queue_commands]") {
    Fixture f;
    f.sched.flying = {kA};
    for (Action a : {Action::hold, Action::remove}) {
        Collector c = f.act(a, ids({kA}));
        CHECK(c.by_id().at(kA).first == EX_TEMPFAIL);
        CHECK_THAT(c.by_id().at(kA).second, Catch::Contains("being delivered now"));
        CHECK(f.t.exists("queue/" + kA));
        CHECK(f.t.exists("data/" + kA));
    }
    // --all leaves it alone and does the rest.
    Collector c = f.act(Action::remove, all());
    CHECK(c.by_id().at(kA).first == EX_TEMPFAIL);
    CHECK(c.by_id().at(kB).first == EX_OK);
    CHECK(f.t.exists("queue/" + kA));
    CHECK_FALSE(f.t.exists("queue/" + kB));
    CHECK_FALSE(f.t.exists("data/" + kB));
}

TEST_CASE("delete by pattern, from every place", "[queue_commands]") {
    Fixture f;
    Selection sel;
    sel.recipient = "example.com";
    Collector c = f.act(Action::remove, sel);
    CHECK(c.results.size() == 2);  // B (queue) and D (failed)
    CHECK_FALSE(f.t.exists("queue/" + kB));
    CHECK_FALSE(f.t.exists("failed/" + kD));
    CHECK(f.t.exists("queue/" + kA));
    CHECK(f.t.exists("hold/" + kC));
}

TEST_CASE("requeue: a fresh start for failed messages", "[queue_commands]") {
    Fixture f;
    Collector c = f.act(Action::requeue, ids({kD, kA}));
    CHECK(c.by_id().at(kD) == std::make_pair(EX_OK, std::string("requeued")));
    CHECK(c.by_id().at(kA).first == EX_USAGE);
    auto env = f.spool.load(Place::queue, kD);
    REQUIRE(env);
    CHECK(env->attempts == 0);
    CHECK(env->next_attempt == 0);
    CHECK(env->arrival > 1717243200);  // the queue lifetime starts again
    CHECK(env->recipients[0].state == RecipientState::pending);
    CHECK(env->recipients[0].last_reply == "550 5.1.1 no such user");  // kept, for the record
    CHECK(f.sched.scheduled.at(kD) == 0);
}

TEST_CASE("flush: picks up, schedules now, waits when asked", "[queue_commands]") {
    Fixture f;
    f.sched.flying = {kB};
    Collector c = f.act(Action::flush, {}, true);  // plain flush: all of queue/
    CHECK(f.sched.pickups == 1);
    CHECK(f.sched.scheduled.at(kA) == 0);
    CHECK(c.waits == std::vector<std::string>{kA, kB});
    CHECK(f.pending == std::vector<std::string>{kA, kB});
    CHECK(c.results.empty());

    Collector held = f.act(Action::flush, ids({kC, kD}), true);
    CHECK(held.by_id().at(kC).first == EX_USAGE);
    CHECK(held.by_id().at(kD).first == EX_USAGE);
    CHECK(held.waits.empty());

    // settle: where each one stands once its attempt is over.
    REQUIRE(f.spool.remove(Place::queue, kA));
    CHECK(f.cmds.settle(kA) == Outcome{kA, EX_OK, "delivered"});
    CHECK(f.cmds.settle(kB) == Outcome{kB, EX_TEMPFAIL, "deferred: 451 later"});
    CHECK(f.cmds.settle(kD).code == EX_UNAVAILABLE);
    CHECK(f.cmds.settle(kD).text == "failed: 550 5.1.1 no such user");

    // A message that left the queue with its bounce queued is not reported as delivered.
    REQUIRE(f.spool.remove(Place::queue, kB));
    f.sched.left[kB] = "bounced: 550 5.1.1 no such user";
    CHECK(
        f.cmds.settle(kB) ==
        Outcome{kB, EX_UNAVAILABLE, "bounced: 550 5.1.1 no such user (report sent to the sender)"});
}

TEST_CASE("OfflineDeliveryState writes next_attempt, only to bring it forward",
          "[queue_commands]") {
    Fixture f;
    OfflineDeliveryState s(f.spool);
    s.schedule(kA, 0);
    CHECK(f.spool.load(Place::queue, kA)->next_attempt == 0);
    s.schedule(kA, 1717250000);  // later than now-due: left alone
    CHECK(f.spool.load(Place::queue, kA)->next_attempt == 0);
    s.schedule(kUnknown, 0);
    CHECK(s.errors.size() == 1);
}

// Issue 16, item 2: every user's listing loaded every envelope before filtering by uid, so one
// user's mailq cost the whole queue. With the daemon's index of submitters, a user's listing
// looks only at the messages the index names for them.
TEST_CASE("list: a user's listing looks only at the messages indexed as theirs",
          "[queue_commands]") {
    TempSpool t;
    Spool spool = open_spool(t.root);
    for (const char* id : {"0619A2B3C4D5E001", "0619A2B3C4D5E002"})
        REQUIRE(spool.store(Place::queue, envelope(id, 1000, "ops@example.net")));
    REQUIRE(spool.store(Place::hold, envelope("0619A2B3C4D5E003", 1000, "ops@example.net")));
    FakeDeliveryState deliveries;
    deliveries.index = {{{1000u, {"0619A2B3C4D5E003", "0619A2B3C4D5E001"}}}};
    QueueCommands commands(spool, deliveries);
    struct Listed : ReplySink {
        std::vector<std::string> ids;
        void message(const ListedMessage& m) override { ids.push_back(m.envelope.id); }
        void problem(const Error&) override {}
        void result(const Outcome&) override {}
        void waiting(const std::string&) override {}
        void content(UniqueFd) override {}
    } mine, all;
    commands.list({}, 1000u, mine);
    CHECK(mine.ids == std::vector<std::string>{"0619A2B3C4D5E001", "0619A2B3C4D5E003"});
    commands.list({}, std::nullopt, all);  // the admin's: the spool itself
    CHECK(all.ids.size() == 3);
}

TEST_CASE("pause and resume: a file in the spool, shown by list, refusing flush",
          "[queue_commands]") {
    Fixture f;
    Collector p = f.act(Action::pause, {});
    REQUIRE(p.results.size() == 1);
    CHECK(p.results[0].id == "deliveries");
    CHECK(p.results[0].code == EX_OK);
    CHECK_THAT(p.results[0].text, Catch::StartsWith("paused since "));
    CHECK(f.sched.paused == std::optional<bool>(true));
    auto state = f.spool.pause_state();
    REQUIRE(state);
    REQUIRE(*state);
    const std::int64_t since = (*state)->since;

    // Again, with a reason: the first time stays, the reason is the new one.
    Request again{Action::pause, {}, false};
    again.reason = "provider limit";
    Collector p2;
    f.cmds.act(again, p2);
    CHECK_THAT(p2.results.at(0).text, Catch::EndsWith(": provider limit"));
    CHECK((*f.spool.pause_state())->since == since);
    CHECK((*f.spool.pause_state())->reason == "provider limit");

    struct PauseSeen : Collector {
        std::optional<DeliveryPause> pause;
        void paused(const DeliveryPause& d) override { pause = d; }
    } listing;
    f.cmds.list({}, std::nullopt, listing);
    REQUIRE(listing.pause);
    CHECK(listing.pause->reason == "provider limit");
    CHECK(listing.messages.size() == 4);  // the queue is listed as ever

    Collector fl = f.act(Action::flush, {});
    REQUIRE(fl.problems.size() == 1);
    CHECK(fl.problems[0].exit_code == EX_TEMPFAIL);
    CHECK_THAT(fl.problems[0].message, Catch::Contains("provider limit"));
    CHECK(fl.results.empty());
    CHECK(f.sched.scheduled.at(kA) == 1717250000);  // not made due

    Collector r = f.act(Action::resume, {});
    CHECK(r.results.at(0).text == "resumed");
    CHECK(f.sched.paused == std::optional<bool>(false));
    CHECK_FALSE(f.t.exists("paused"));
    CHECK(f.act(Action::resume, {}).results.at(0).text == "not paused");
    PauseSeen after;
    f.cmds.list({}, std::nullopt, after);
    CHECK_FALSE(after.pause);
}

TEST_CASE("pause: a reason that is not one line of text is refused", "[queue_commands]") {
    Fixture f;
    Request r{Action::pause, {}, false};
    r.reason = "two\nlines";
    Collector c;
    f.cmds.act(r, c);
    CHECK(c.results.at(0).code == EX_USAGE);
    CHECK_FALSE(f.t.exists("paused"));
    CHECK_FALSE(f.sched.paused);
}
