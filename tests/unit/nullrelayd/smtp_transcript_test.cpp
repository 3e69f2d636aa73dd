// Tests for smtp_transcript.hpp: pairing libcurl's debug lines into command/reply exchanges,
// and keeping credentials out of everything the transcript exposes; and for
// smtp_capabilities.hpp, what the EHLO reply in it offers.
#include "nullrelayd/smtp_transcript.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "nullrelayd/smtp_capabilities.hpp"

using namespace nullrelay;

namespace {

// One line as libcurl's debug callback hands it over: '>' for a command, '<' for a reply.
struct Line {
    char dir;
    std::string text;
};

SmtpTranscript play(const std::vector<Line>& lines) {
    SmtpTranscript t;
    for (const auto& l : lines) {
        if (l.dir == '>')
            t.command_sent(l.text + "\r\n");
        else
            t.reply_line(l.text + "\r\n");
    }
    return t;
}

struct Want {
    std::string command;
    int code;
    std::string reply;
};

void check_exchanges(const SmtpTranscript& t, const std::vector<Want>& want) {
    const auto& got = t.exchanges();
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        INFO("exchange " << i);
        CHECK(got[i].command == want[i].command);
        CHECK(got[i].code == want[i].code);
        CHECK(got[i].reply == want[i].reply);
    }
}

// Everything the transcript lets out: the exchanges and the log text.
std::string everything(const SmtpTranscript& t) {
    std::string all = t.redacted();
    for (const auto& e : t.exchanges())
        all += e.command + "\n" + e.reply + "\n";
    return all;
}

}  // namespace

TEST_CASE("SmtpTranscript pairs commands and replies", "[smtp_transcript]") {
    SmtpTranscript t = play({
        {'<', "220 mx.example.org ESMTP"},
        {'>', "EHLO relay.example.org"},
        {'<', "250-mx.example.org"},
        {'<', "250-SIZE 10240000"},
        {'<', "250 8BITMIME"},
        {'>', "MAIL FROM:<alice@example.org>"},
        {'<', "250 2.1.0 Ok"},
        {'>', "RCPT TO:<bob@example.org>"},
        {'<', "550 5.1.1 <bob@example.org>: Recipient address rejected"},
        {'>', "RCPT TO:<carol@example.org>"},
        {'<', "250 2.1.5 Ok"},
        {'>', "DATA"},
        {'<', "354 End data with <CR><LF>.<CR><LF>"},
        {'<', "250 2.0.0 Ok: queued as 4Vx"},
    });
    CHECK(t.saw_greeting());
    CHECK_FALSE(t.saw_auth_success());
    check_exchanges(t, {
                           {"", 220, "220 mx.example.org ESMTP"},
                           {"EHLO relay.example.org", 250,
                            "250-mx.example.org\n250-SIZE 10240000\n250 8BITMIME"},
                           {"MAIL FROM:<alice@example.org>", 250, "250 2.1.0 Ok"},
                           {"RCPT TO:<bob@example.org>", 550,
                            "550 5.1.1 <bob@example.org>: Recipient address rejected"},
                           {"RCPT TO:<carol@example.org>", 250, "250 2.1.5 Ok"},
                           {"DATA", 354, "354 End data with <CR><LF>.<CR><LF>"},
                           {"", 250, "250 2.0.0 Ok: queued as 4Vx"},
                       });
    CHECK(t.redacted() ==
          "< 220 mx.example.org ESMTP\n"
          "> EHLO relay.example.org\n"
          "< 250-mx.example.org\n250-SIZE 10240000\n250 8BITMIME\n"
          "> MAIL FROM:<alice@example.org>\n"
          "< 250 2.1.0 Ok\n"
          "> RCPT TO:<bob@example.org>\n"
          "< 550 5.1.1 <bob@example.org>: Recipient address rejected\n"
          "> RCPT TO:<carol@example.org>\n"
          "< 250 2.1.5 Ok\n"
          "> DATA\n"
          "< 354 End data with <CR><LF>.<CR><LF>\n"
          "< 250 2.0.0 Ok: queued as 4Vx\n");
}

TEST_CASE("SmtpTranscript reply codes", "[smtp_transcript]") {
    SmtpTranscript t = play({{'>', "NOOP"}, {'<', "250"}, {'>', "HELP"}, {'<', "2x4 odd"}});
    CHECK_FALSE(t.saw_greeting());  // a reused connection: the first reply answers a command
    check_exchanges(t, {{"NOOP", 250, "250"}, {"HELP", 0, "2x4 odd"}});
    t.clear();
    CHECK(t.exchanges().empty());
    CHECK(t.redacted().empty());
}

TEST_CASE("SmtpTranscript redacts AUTH PLAIN with an initial response", "[smtp_transcript]") {
    const std::string secret = "AGFsaWNlAHMzY3IzdC1wYXNzd29yZA==";  // \0alice\0s3cr3t-password
    SmtpTranscript t = play({
        {'<', "220 mx ESMTP"},
        {'>', "EHLO relay"},
        {'<', "250 AUTH PLAIN LOGIN"},
        {'>', "AUTH PLAIN " + secret},
        {'<', "235 2.7.0 Authentication successful"},
        {'>', "MAIL FROM:<alice@example.org>"},
        {'<', "250 2.1.0 Ok"},
    });
    CHECK(t.saw_auth_success());
    check_exchanges(t, {{"", 220, "220 mx ESMTP"},
                        {"EHLO relay", 250, "250 AUTH PLAIN LOGIN"},
                        {"AUTH PLAIN <redacted>", 235, "235 2.7.0 Authentication successful"},
                        {"MAIL FROM:<alice@example.org>", 250, "250 2.1.0 Ok"}});
    CHECK(everything(t).find(secret) == std::string::npos);
    CHECK(everything(t).find("AGFsaWNl") == std::string::npos);
    CHECK_THAT(t.redacted(), Catch::Contains("> AUTH PLAIN <redacted>\n"));
}

TEST_CASE("SmtpTranscript redacts AUTH LOGIN continuation lines", "[smtp_transcript]") {
    const std::string user = "YWxpY2VAZXhhbXBsZS5vcmc=";  // alice@example.org
    const std::string password = "czNjcjN0LXBhc3N3b3Jk";  // s3cr3t-password
    SmtpTranscript t = play({
        {'<', "220 mx ESMTP"},
        {'>', "AUTH LOGIN"},
        {'<', "334 VXNlcm5hbWU6"},
        {'>', user},
        {'<', "334 UGFzc3dvcmQ6"},
        {'>', password},
        {'<', "235 2.7.0 Authentication successful"},
        {'>', "MAIL FROM:<>"},
        {'<', "250 Ok"},
    });
    CHECK(t.saw_auth_success());
    check_exchanges(t, {{"", 220, "220 mx ESMTP"},
                        {"AUTH LOGIN", 334, "334 VXNlcm5hbWU6"},
                        {"<redacted>", 334, "334 UGFzc3dvcmQ6"},
                        {"<redacted>", 235, "235 2.7.0 Authentication successful"},
                        {"MAIL FROM:<>", 250, "250 Ok"}});
    for (const std::string& s : {user, password}) {
        INFO(s);
        CHECK(everything(t).find(s) == std::string::npos);
    }
}

TEST_CASE("SmtpTranscript: failed AUTH ends the secret part", "[smtp_transcript]") {
    const std::string initial = "dXNlcg==";
    SmtpTranscript t = play({
        {'>', "auth login " + initial},  // lower case still counts as AUTH
        {'<', "334 UGFzc3dvcmQ6"},
        {'>', "d3Jvbmc="},
        {'<', "535 5.7.8 Authentication credentials invalid"},
        {'>', "QUIT"},
        {'<', "221 Bye"},
    });
    CHECK_FALSE(t.saw_auth_success());
    check_exchanges(t, {{"auth login <redacted>", 334, "334 UGFzc3dvcmQ6"},
                        {"<redacted>", 535, "535 5.7.8 Authentication credentials invalid"},
                        {"QUIT", 221, "221 Bye"}});  // commands after AUTH are shown again
    CHECK(everything(t).find(initial) == std::string::npos);
    CHECK(everything(t).find("d3Jvbmc=") == std::string::npos);
}

TEST_CASE("SmtpTranscript keeps control characters out of replies", "[smtp_transcript]") {
    SmtpTranscript t = play({{'>', "NOOP"}, {'<', "250 ok\x1b[31m red"}});
    REQUIRE(t.exchanges().size() == 1);
    CHECK(t.exchanges()[0].reply == "250 ok [31m red");
}

TEST_CASE("capabilities_from: the last EHLO reply of a connection", "[smtp_transcript]") {
    SmtpTranscript t = play({{'<', "220 mx.example.net ESMTP"},
                             {'>', "EHLO relay.example.org"},
                             {'<', "250-mx.example.net"},
                             {'<', "250-SIZE 35882577"},
                             {'<', "250-8BITMIME"},
                             {'<', "250 STARTTLS"},
                             {'>', "STARTTLS"},
                             {'<', "220 2.0.0 Ready"},
                             {'>', "EHLO relay.example.org"},
                             {'<', "250-mx.example.net"},
                             {'<', "250-SIZE 35882577"},
                             {'<', "250-smtputf8"},
                             {'<', "250 AUTH PLAIN LOGIN"}});
    SmtpCapabilities c = capabilities_from(t.exchanges());
    CHECK(c.known);
    CHECK(c.size == 35882577u);
    CHECK_FALSE(c.eight_bit_mime);  // the first EHLO's offer, before TLS, does not count
    CHECK(c.smtputf8);
    CHECK(c.lines == std::vector<std::string>{"SIZE 35882577", "smtputf8", "AUTH PLAIN LOGIN"});
    CHECK(c.summary() ==
          "SIZE 35882577, 8BITMIME no, SMTPUTF8 yes (EHLO: SIZE 35882577, smtputf8, AUTH PLAIN "
          "LOGIN)");
}

TEST_CASE("capabilities_from: SIZE without a limit, and no EHLO at all", "[smtp_transcript]") {
    SmtpTranscript t = play({{'<', "220 mx ESMTP"},
                             {'>', "EHLO relay.example.org"},
                             {'<', "250-mx"},
                             {'<', "250-SIZE"},
                             {'<', "250 8BITMIME"}});
    SmtpCapabilities c = capabilities_from(t.exchanges());
    CHECK(c.size == 0u);
    CHECK(c.eight_bit_mime);
    CHECK_THAT(c.summary(), Catch::StartsWith("SIZE yes (no limit given), 8BITMIME yes"));
    // A reused connection: MAIL first, no EHLO in this transcript.
    SmtpTranscript reused = play({{'>', "MAIL FROM:<a@b>"}, {'<', "250 2.1.0 Ok"}});
    CHECK_FALSE(capabilities_from(reused.exchanges()).known);
}
