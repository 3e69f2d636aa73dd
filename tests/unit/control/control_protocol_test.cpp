// Tests for control_protocol.hpp: requests round-trip and hostile ones are refused; reply
// records round-trip through the decoder, whatever way the bytes are split.
#include "control/control_protocol.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <fmt/format.h>

using namespace nullrelay;

namespace {

// Records what the decoder reports, as text.
struct Recorder : ReplySink {
    std::vector<std::string> seen;
    void message(const ListedMessage& m) override {
        seen.push_back(fmt::format("message {} {} {} {}", m.envelope.id, to_string(m.place),
                                   m.active, m.envelope.recipients.at(0).last_reply));
    }
    void problem(const Error& e) override {
        seen.push_back(fmt::format("problem {} {}", e.exit_code, e.message));
    }
    void result(const Outcome& o) override {
        seen.push_back(fmt::format("result {} {} {}", o.id, o.code, o.text));
    }
    void waiting(const std::string& id) override { seen.push_back("waiting " + id); }
    void content(UniqueFd fd) override { seen.push_back(fmt::format("content {}", fd.valid())); }
};

Envelope sample() {
    Envelope e;
    e.id = "0619A2B3C4D5E001";
    e.arrival = 1717243200;
    e.sender = "alice@example.org";
    e.size = 10;
    e.recipients = {{"bob@example.org", "", RecipientState::pending, "451 4.3.0 end"}};
    return e;
}

}  // namespace

TEST_CASE("requests round-trip", "[control_protocol]") {
    Request r;
    r.action = Action::remove;
    r.selection.ids = {"0619A2B3C4D5E001", "0619A2B3C4D5E002"};
    r.selection.recipient = "*@example.org";
    r.selection.sender = "cron daemon";
    r.wait = true;
    auto text = encode_request(r);
    REQUIRE(text);
    CHECK(*text ==
          "nullrelay-control 1\naction delete\nid 0619A2B3C4D5E001\nid 0619A2B3C4D5E002\n"
          "recipient *@example.org\nsender cron daemon\nwait\n\n");
    CHECK(request_end(*text) == text->size());
    CHECK_FALSE(request_end(text->substr(0, text->size() - 1)));
    auto back = decode_request(*text);
    REQUIRE(back);
    CHECK(back->action == Action::remove);
    CHECK(back->selection.ids == r.selection.ids);
    CHECK(back->selection.recipient == r.selection.recipient);
    CHECK(back->selection.sender == r.selection.sender);
    CHECK(back->wait);
    CHECK_FALSE(back->selection.all);

    for (Action a : {Action::list, Action::flush, Action::hold, Action::release, Action::requeue}) {
        Request x;
        x.action = a;
        x.selection.all = true;
        auto t = encode_request(x);
        REQUIRE(t);
        auto y = decode_request(*t);
        REQUIRE(y);
        CHECK(y->action == a);
        CHECK(y->selection.all);
    }
}

TEST_CASE("encode_request refuses what would break a line", "[control_protocol]") {
    Request r;
    r.selection.recipient = "a\nid 0619A2B3C4D5E001";
    CHECK(encode_request(r).error().exit_code == EX_USAGE);
    r.selection.recipient = std::string(kMaxPatternLength + 1, 'a');
    CHECK_FALSE(encode_request(r));
    r.selection.recipient = "";
    r.selection.ids = {"not-an-id"};
    CHECK_FALSE(encode_request(r));
}

TEST_CASE("decode_request refuses hostile requests", "[control_protocol]") {
    const std::string head = "nullrelay-control 1\n";
    const char* bad[] = {
        "",
        "\n\n",
        "nullrelay-control 2\naction list\n\n",
        "nullrelay-control 1\n\n",                      // no action
        "nullrelay-control 1\naction list\n",           // not terminated
        "nullrelay-control 1\naction format-disk\n\n",  // unknown action
        "nullrelay-control 1\naction list\naction hold\n\n",
        "nullrelay-control 1\naction hold\nid ../../etc/passwd\n\n",
        "nullrelay-control 1\naction hold\nid 0619a2b3c4d5e001\n\n",  // ids are upper case
        "nullrelay-control 1\naction list\nall yes\n\n",
        "nullrelay-control 1\naction list\nrecipient \n\n",
        "nullrelay-control 1\naction list\nrecipient a\nrecipient b\n\n",
        "nullrelay-control 1\naction list\nbogus\n\n",
        "nullrelay-control 1\r\naction list\r\n\r\n",
        "nullrelay-control 1\naction show\n\n",  // show needs one id
        "nullrelay-control 1\naction show\nid 0619A2B3C4D5E001\nid 0619A2B3C4D5E002\n\n",
    };
    for (const char* text : bad) {
        INFO(text);
        auto r = decode_request(text);
        CHECK_FALSE(r);
        if (!r) CHECK(r.error().exit_code == EX_PROTOCOL);
    }
    std::string with_nul = head + "action list\nsender a" + '\0' + "b\n\n";
    CHECK_FALSE(decode_request(with_nul));
    std::string long_pattern =
        head + "action list\nsender " + std::string(kMaxPatternLength + 1, 'x') + "\n\n";
    CHECK_FALSE(decode_request(long_pattern));
}

TEST_CASE("reply records round-trip through the decoder, however split", "[control_protocol]") {
    std::string stream = encode_message({sample(), Place::hold, true}) +
                         encode_problem({EX_DATAERR, "corrupt queue file queue/X: line 2"}) +
                         encode_result({"0619A2B3C4D5E002", EX_TEMPFAIL, "being\ndelivered"}) +
                         encode_waiting("0619A2B3C4D5E003") + std::string(kContentRecord) +
                         encode_done(EX_OK, "");
    const std::vector<std::string> want = {
        "message 0619A2B3C4D5E001 hold true 451 4.3.0 end",
        "problem 65 corrupt queue file queue/X: line 2",
        "result 0619A2B3C4D5E002 75 being delivered",  // one line, always
        "waiting 0619A2B3C4D5E003",
        "content true",
    };
    for (size_t step : {size_t{1}, size_t{7}, stream.size()}) {
        INFO(step);
        Recorder rec;
        ReplyDecoder decoder(rec);
        std::vector<UniqueFd> fds;
        fds.emplace_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        for (size_t i = 0; i < stream.size(); i += step)
            REQUIRE(decoder.feed(std::string_view(stream).substr(i, step), fds));
        CHECK(decoder.finished());
        CHECK(decoder.outcome());
        CHECK(rec.seen == want);
        CHECK(fds.empty());
    }
}

TEST_CASE("the decoder reports a refusal and refuses garbage", "[control_protocol]") {
    Recorder rec;
    std::vector<UniqueFd> fds;
    {
        ReplyDecoder d(rec);
        REQUIRE(d.feed(encode_done(EX_NOPERM, "permission denied: only root"), fds));
        CHECK(d.outcome().error().exit_code == EX_NOPERM);
        CHECK(d.outcome().error().message == "permission denied: only root");
    }
    {
        ReplyDecoder d(rec);
        CHECK_FALSE(d.outcome());  // ended early
    }
    for (const char* garbage :
         {"hello\n", "result 0619A2B3C4D5E001 x text\n", "content\n", "message queue 2\n",
          "message queue 1\nnot an envelope\nend\n", "waiting ../x\n"}) {
        INFO(garbage);
        ReplyDecoder d(rec);
        Status st = d.feed(garbage, fds);
        CHECK_FALSE(st);
        if (!st) CHECK(st.error().exit_code == EX_PROTOCOL);
    }
}

TEST_CASE("pause: the reason travels, the paused record and the deliveries result decode",
          "[control_protocol]") {
    Request r{Action::pause, {}, false};
    r.reason = "smarthost maintenance";
    auto text = encode_request(r);
    REQUIRE(text);
    auto back = decode_request(*text);
    REQUIRE(back);
    CHECK(back->action == Action::pause);
    CHECK(back->reason == "smarthost maintenance");
    r.reason = "a\x1b]0;title";
    CHECK_FALSE(encode_request(r));
    CHECK_FALSE(decode_request("nullrelay-control 1\naction pause\nreason a\tb\n\n"));

    struct Seen : ReplySink {
        std::optional<DeliveryPause> pause;
        std::vector<Outcome> results;
        void message(const ListedMessage&) override {}
        void problem(const Error&) override {}
        void result(const Outcome& o) override { results.push_back(o); }
        void waiting(const std::string&) override {}
        void content(UniqueFd) override {}
        void paused(const DeliveryPause& p) override { pause = p; }
    } seen;
    ReplyDecoder decoder(seen);
    std::vector<UniqueFd> fds;
    std::string reply = encode_paused({1733500000, "provider limit"}) +
                        encode_result({"deliveries", EX_OK, "resumed"}) + encode_done(EX_OK, "");
    REQUIRE(decoder.feed(reply, fds));
    REQUIRE(seen.pause);
    CHECK(*seen.pause == DeliveryPause{1733500000, "provider limit"});
    CHECK(seen.results.at(0).text == "resumed");
    CHECK(decoder.outcome());

    Seen bad;
    ReplyDecoder bad_decoder(bad);
    CHECK_FALSE(bad_decoder.feed("paused soon x\n", fds));
}
