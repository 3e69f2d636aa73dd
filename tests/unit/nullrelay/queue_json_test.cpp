// Tests for queue_json.hpp: the exact JSON line per message (its schema: keys, order, types)
// and the string escaper, which must give valid JSON whatever bytes a smarthost sent.
#include "nullrelay/queue_json.hpp"

#include <catch2/catch.hpp>

#include <string>

#include <fmt/format.h>

using namespace nullrelay;

TEST_CASE("json_string escapes what JSON requires and keeps UTF-8", "[queue_json]") {
    struct Case {
        const char* label;
        std::string input;
        std::string want;
    };
    const Case cases[] = {
        {"plain", "root@example.org", R"("root@example.org")"},
        {"empty", "", R"("")"},
        {"quote and backslash", R"(a"b\c)", R"("a\"b\\c")"},
        {"named controls", "a\nb\rc\td", R"("a\nb\rc\td")"},
        {"other controls", std::string("a\x01") + '\0' + "\x1f\x7f",
         R"("a\u0001\u0000\u001f\u007f")"},
        {"utf-8 kept", "Jos\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7",
         "\"Jos\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7\""},
        {"latin-1 byte", "Jos\xe9", R"("Jos\ufffd")"},
        {"truncated sequence", "\xe2\x82", R"("\ufffd\ufffd")"},
        {"overlong slash", "\xc0\xaf", R"("\ufffd\ufffd")"},
        {"surrogate", "\xed\xa0\x80", R"("\ufffd\ufffd\ufffd")"},
        {"above U+10FFFF", "\xf4\x90\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},
        {"html is not escaped", "</script>", R"("</script>")"},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        CHECK(json_string(c.input) == c.want);
    }
}

TEST_CASE("format_json_message: one object per line, every field", "[queue_json]") {
    Envelope e;
    e.id = "0619A2B3C4D5E001";
    e.arrival = 1717243200;
    e.submitter_uid = 1000;
    e.submitter_name = "alice";
    e.sender = "alice@example.org";
    e.size = 1234;
    e.attempts = 2;
    e.next_attempt = 1717243500;
    e.last_error = "mx[192.0.2.1]:587: 451 4.3.0 \"busy\"";
    e.recipients = {{"admin@example.net", "root", RecipientState::pending, "451 4.3.0 busy"},
                    {"bob@example.org", "", RecipientState::sent, "250 2.0.0 Ok"}};
    CHECK(format_json_message({e, Place::queue, false}) ==
          R"({"id": "0619A2B3C4D5E001", "state": "deferred", "queue": "queue", )"
          R"("arrival": 1717243200, "size": 1234, "sender": "alice@example.org", )"
          R"("submitter": {"uid": 1000, "name": "alice"}, "attempts": 2, )"
          R"("next_attempt": 1717243500, "last_error": "mx[192.0.2.1]:587: 451 4.3.0 \"busy\"", )"
          R"("recipients": [{"address": "admin@example.net", "original": "root", )"
          R"("state": "pending", "last_reply": "451 4.3.0 busy"}, )"
          R"({"address": "bob@example.org", "original": "bob@example.org", "state": "sent", )"
          R"("last_reply": "250 2.0.0 Ok"}]})"
          "\n");

    // The state word: active wins; then the place; then whether it was attempted.
    e.sender = "";
    e.attempts = 0;
    struct Case {
        Place place;
        bool active;
        const char* state;
    };
    for (auto [place, active, state] :
         {Case{Place::queue, false, "queued"}, Case{Place::queue, true, "active"},
          Case{Place::hold, false, "held"}, Case{Place::failed, false, "failed"}}) {
        std::string line = format_json_message({e, place, active});
        INFO(line);
        CHECK_THAT(line, Catch::Contains(fmt::format(R"("state": "{}")", state)));
        CHECK_THAT(line, Catch::Contains(R"("sender": "")"));  // the null sender
    }
}
