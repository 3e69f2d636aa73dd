// Tests for message_normalizer.hpp: every line break becomes CRLF, the optional '.' terminator
// and mbox "From " line are handled, and the output never depends on how input is chunked.
#include "mail/message_normalizer.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

using namespace nullrelay;

namespace {

struct Case {
    const char* label;
    bool dot;   // dot_line_ends_message
    bool mbox;  // drop_mbox_from_line
    std::string input;
    std::string want;
    bool want_ended;
};

const std::vector<Case>& cases() {
    static const std::vector<Case> table = {
        {"LF becomes CRLF", false, false, "a\nb\n", "a\r\nb\r\n", false},
        {"CRLF kept", false, false, "a\r\nb\r\n", "a\r\nb\r\n", false},
        {"CR CR LF is one line break", false, false, "a\r\r\nb\r\n", "a\r\nb\r\n", false},
        {"bare CR becomes CRLF", false, false, "a\rb", "a\r\nb\r\n", false},
        {"CR at the end", false, false, "a\r", "a\r\n", false},
        {"LF CR is two breaks", false, false, "a\n\rb", "a\r\n\r\nb\r\n", false},
        {"missing final newline", false, false, "a\nb", "a\r\nb\r\n", false},
        {"empty stays empty", false, false, "", "", false},
        {"empty lines kept", false, false, "\n\n", "\r\n\r\n", false},
        {"spaces kept", false, false, " a \t\n", " a \t\r\n", false},
        {"lone dot is data without the option", false, false, "a\n.\nb\n", "a\r\n.\r\nb\r\n",
         false},
        {"lone dot ends the message", true, false, "a\n.\nb\n", "a\r\n", true},
        {"lone dot with CRLF ends the message", true, false, "a\r\n.\r\nb\r\n", "a\r\n", true},
        {"lone dot with bare CR ends the message", true, false, "a\r.\rb", "a\r\n", true},
        {"dot on the first line", true, false, ".\nb\n", "", true},
        {"two dots do not end it", true, false, "a\n..\nb\n", "a\r\n..\r\nb\r\n", false},
        {"dot and text do not end it", true, false, "a\n.x\n. \n", "a\r\n.x\r\n. \r\n", false},
        {"dot at EOF without newline", true, false, "a\n.", "a\r\n", true},
        {"dot at EOF without the option", false, false, "a\n.", "a\r\n.\r\n", false},
        {"mbox From line dropped", false, true, "From me@x Sat Jun  1 12:00:00 2024\nSubject: s\n",
         "Subject: s\r\n", false},
        {"mbox From line kept without the option", false, false, "From me@x\nSubject: s\n",
         "From me@x\r\nSubject: s\r\n", false},
        {"From: header kept", false, true, "From: me@x\n\nbody\n", "From: me@x\r\n\r\nbody\r\n",
         false},
        {"From line only on line 1", false, true, "Subject: s\nFrom me@x\n",
         "Subject: s\r\nFrom me@x\r\n", false},
        {"From line only, no newline", false, true, "From me@x", "", false},
        {"prefix of From at EOF", false, true, "Fro", "Fro\r\n", false},
        {"quoted From kept", false, true, ">From me@x\n", ">From me@x\r\n", false},
        {"From line then dot", true, true, "From me@x\n.\nrest\n", "", true},
        {"dot inside the From line", true, true, "From .\nx\n", "x\r\n", false},
    };
    return table;
}

MessageNormalizer::Options options(const Case& c) {
    MessageNormalizer::Options o;
    o.dot_line_ends_message = c.dot;
    o.drop_mbox_from_line = c.mbox;
    return o;
}

// Feeds `input` in pieces of the given sizes (the rest in one piece), then finishes.
std::string run(const Case& c, const std::vector<size_t>& pieces, bool* ended) {
    MessageNormalizer n(options(c));
    std::string out;
    size_t pos = 0;
    for (size_t len : pieces) {
        if (pos >= c.input.size()) break;
        n.feed(std::string_view(c.input).substr(pos, len), out);
        pos += len;
    }
    if (pos < c.input.size()) n.feed(std::string_view(c.input).substr(pos), out);
    n.finish(out);
    if (ended) *ended = n.ended();
    return out;
}

}  // namespace

TEST_CASE("MessageNormalizer table", "[message_normalizer]") {
    for (const auto& c : cases()) {
        INFO(c.label);
        bool ended = false;
        CHECK(run(c, {}, &ended) == c.want);
        CHECK(ended == c.want_ended);
    }
}

TEST_CASE("MessageNormalizer output does not depend on chunking", "[message_normalizer]") {
    std::mt19937 rng(42);
    for (const auto& c : cases()) {
        INFO(c.label);
        // One byte at a time.
        bool ended = false;
        CHECK(run(c, std::vector<size_t>(c.input.size(), 1), &ended) == c.want);
        CHECK(ended == c.want_ended);
        // Every split into two pieces.
        for (size_t cut = 0; cut <= c.input.size(); ++cut) {
            INFO("split at " << cut);
            CHECK(run(c, {cut}, nullptr) == c.want);
        }
        // Random splits, empty pieces included.
        std::uniform_int_distribution<size_t> piece(0, 4);
        for (int round = 0; round < 50; ++round) {
            std::vector<size_t> pieces;
            for (size_t total = 0; total < c.input.size();) {
                pieces.push_back(piece(rng));
                total += pieces.back();
            }
            CHECK(run(c, pieces, nullptr) == c.want);
        }
    }
}

TEST_CASE("MessageNormalizer ignores input after the end", "[message_normalizer]") {
    MessageNormalizer n({.dot_line_ends_message = true, .drop_mbox_from_line = false});
    std::string out;
    n.feed("a\n.\n", out);
    REQUIRE(n.ended());
    n.feed("more\n", out);
    n.finish(out);
    CHECK(out == "a\r\n");
}

TEST_CASE("MessageNormalizer measures the longest line", "[message_normalizer]") {
    MessageNormalizer n({.dot_line_ends_message = false, .drop_mbox_from_line = true});
    std::string out;
    n.feed("From a-very-long-mbox-line@example.org\nabc\r\n", out);
    n.feed("de", out);
    n.feed("fgh\nij", out);
    n.finish(out);
    CHECK(out == "abc\r\ndefgh\r\nij\r\n");
    CHECK(n.longest_line() == 5);  // "defgh"; the dropped line does not count
}
