// sendmail -bs, driven through a pipe with a recording sink: the conversation rules.
#include <unistd.h>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sendmail/smtp_dialogue.hpp"

using namespace nullrelay;

namespace {

struct RecordingSink : MessageSink {
    std::vector<std::string> senders, messages;
    std::vector<std::vector<std::string>> recipients;
    std::string current;
    int abandoned = 0;
    std::string begin(const std::string& s, const std::vector<std::string>& r) override {
        senders.push_back(s);
        recipients.push_back(r);
        current.clear();
        return "";
    }
    void write(std::string_view d) override { current += d; }
    std::string finish() override {
        messages.push_back(current);
        return "250 2.0.0 Ok: queued as TEST";
    }
    void abandon() override { ++abandoned; }
};

// Runs a session over pipes; returns the server's replies.
std::string converse(const std::string& input, RecordingSink& sink, std::uint64_t limit = 1000) {
    int in[2], out[2];
    REQUIRE(::pipe(in) == 0);
    REQUIRE(::pipe(out) == 0);
    REQUIRE(::write(in[1], input.data(), input.size()) == static_cast<ssize_t>(input.size()));
    ::close(in[1]);
    run_smtp_dialogue(in[0], out[1], {"relay.example.org", limit}, sink);
    ::close(in[0]);
    ::close(out[1]);
    std::string replies;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(out[0], buf, sizeof buf)) > 0)
        replies.append(buf, static_cast<size_t>(n));
    ::close(out[0]);
    return replies;
}

}  // namespace

TEST_CASE("smtp_dialogue: one message, dot-unstuffed, LF or CRLF input", "[smtp_dialogue]") {
    RecordingSink sink;
    std::string replies = converse(
        "HELO c\nMAIL FROM:<a@example.org> SIZE=10\r\nRCPT TO:<b@example.net>\r\nDATA\r\n"
        "Subject: x\r\n\r\n..dot\r\n...two\nlast\r\n.\r\nQUIT\r\n",
        sink);
    REQUIRE(sink.messages.size() == 1);
    CHECK(sink.senders[0] == "a@example.org");
    CHECK(sink.recipients[0] == std::vector<std::string>{"b@example.net"});
    CHECK(sink.messages[0] == "Subject: x\r\n\r\n.dot\r\n..two\r\nlast\r\n");
    CHECK(replies.find("250 2.0.0 Ok: queued as TEST\r\n") != std::string::npos);
    CHECK(replies.ends_with("221 2.0.0 relay.example.org closing\r\n"));
}

TEST_CASE("smtp_dialogue: command order and syntax errors", "[smtp_dialogue]") {
    struct Case {
        const char* label;
        std::string input;
        std::string want_last;  // the last reply before QUIT's
    };
    const std::vector<Case> cases = {
        {"MAIL before EHLO", "MAIL FROM:<a@b>\r\n", "503 5.5.1 Send EHLO first"},
        {"RCPT before MAIL", "EHLO c\r\nRCPT TO:<a@b>\r\n", "503 5.5.1 Need MAIL first"},
        {"DATA without RCPT", "EHLO c\r\nMAIL FROM:<a@b>\r\nDATA\r\n",
         "503 5.5.1 Need MAIL and RCPT first"},
        {"second MAIL", "EHLO c\r\nMAIL FROM:<a@b>\r\nMAIL FROM:<a@b>\r\n",
         "503 5.5.1 Sender already given"},
        {"no angle brackets", "EHLO c\r\nMAIL FROM:a@b\r\n",
         "501 5.5.4 Syntax: MAIL FROM:<address>"},
        {"junk after the path", "EHLO c\r\nMAIL FROM:<a@b>x\r\n",
         "501 5.5.4 Syntax: MAIL FROM:<address>"},
        {"space in sender", "EHLO c\r\nMAIL FROM:<a b@c>\r\n",
         "553 5.1.7 Bad sender address: space in address"},
        {"null sender is fine", "EHLO c\r\nMAIL FROM:<>\r\n", "250 2.1.0 Ok"},
        {"empty recipient", "EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<>\r\n",
         "553 5.1.3 Bad recipient address: empty address"},
        {"unknown command", "EHLO c\r\nWHAT\r\n", "500 5.5.2 Command not recognized"},
        {"RSET forgets the sender", "EHLO c\r\nMAIL FROM:<a@b>\r\nRSET\r\nRCPT TO:<x@y>\r\n",
         "503 5.5.1 Need MAIL first"},
        {"too long a line", "EHLO c\r\n" + std::string(5000, 'x') + "\r\n",
         "500 5.5.2 Line too long"},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        RecordingSink sink;
        std::string replies = converse(c.input + "QUIT\r\n", sink);
        std::string before_quit = replies.substr(0, replies.rfind("221 "));
        before_quit.resize(before_quit.size() - 2);
        CHECK(before_quit.substr(before_quit.rfind("\r\n") + 2) == c.want_last);
        CHECK(sink.messages.empty());
    }
}

TEST_CASE("smtp_dialogue: the size limit refuses the whole message and stays in step",
          "[smtp_dialogue]") {
    RecordingSink sink;
    std::string replies = converse("EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n" +
                                       std::string(2000, 'z') + "\r\n.\r\nNOOP\r\nQUIT\r\n",
                                   sink, 1000);
    CHECK(sink.messages.empty());
    CHECK(sink.abandoned == 1);
    CHECK(replies.find("552 5.3.4") != std::string::npos);
    CHECK(replies.find("250 2.0.0 Ok\r\n221") != std::string::npos);  // NOOP after it
}

TEST_CASE("smtp_dialogue: input ending inside DATA abandons the message", "[smtp_dialogue]") {
    RecordingSink sink;
    converse("EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\npartial\r\n", sink);
    CHECK(sink.messages.empty());
    CHECK(sink.abandoned == 1);
}
