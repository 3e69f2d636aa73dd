// Tests for header_rewriter.hpp: address headers agree with the envelope (no bare local name
// leaves), sender headers are qualified or go through sender_map with their display names,
// and every other field stays byte for byte.
#include "nullrelayd/header_rewriter.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

using namespace nullrelay;

namespace {

std::shared_ptr<const AliasMap> map_of(const std::string& text) {
    if (text.empty()) return nullptr;
    auto m = AliasMap::parse(text, "/etc/nullrelay/map");
    if (!m) FAIL(m.error().message);
    return std::make_shared<AliasMap>(std::move(*m));
}

const std::string kAliases =
    "/^(root|www-data|nobody)$/ admin@example.net\n"
    "/^ops$/ root, oncall@example.net\n";

struct Case {
    const char* label;
    std::string in;    // header lines, LF ends (turned into CRLF)
    std::string want;  // "" when it must stay byte for byte
    std::string sender_map = "";
};

std::string crlf(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

}  // namespace

TEST_CASE("header rewriting", "[header_rewriter]") {
    const std::vector<Case> cases = {
        // Debian cron's headers.
        {"cron From", "From: root (Cron Daemon)\n", "From: Cron Daemon <root@example.org>\n"},
        {"cron To", "To: root\n", "To: admin@example.net\n"},
        {"cron headers that are not addresses",
         "Subject: Cron <root@host> /usr/bin/true\nX-Cron-Env: <LOGNAME=root>\n", ""},
        // Recipients.
        {"@localhost", "Cc: nobody@localhost\n", "Cc: admin@example.net\n"},
        {"display name kept", "To: \"The Admin\" <root>\n", "To: The Admin <admin@example.net>\n"},
        {"remote addresses untouched", "To:  \"Bob\"   <bob@example.com> ,carol@example.net\n", ""},
        {"mixed list", "To: Bob <bob@example.com>, root\n",
         "To: Bob <bob@example.com>, admin@example.net\n"},
        {"aliases that meet are listed once", "To: root, www-data\n", "To: admin@example.net\n"},
        {"a list alias", "To: ops\n", "To: admin@example.net, oncall@example.net\n"},
        {"unmatched local: qualified", "To: pi\n", "To: pi@example.org\n"},
        {"Resent-To and Resent-Cc", "Resent-To: root\nResent-Cc: pi@localhost\n",
         "Resent-To: admin@example.net\nResent-Cc: pi@example.org\n"},
        {"folded field without local names stays", "To: a@example.com,\n\tb@example.com\n", ""},
        {"group without members", "To: undisclosed-recipients:;\n", ""},
        {"field name in another case", "TO: root\n", "TO: admin@example.net\n"},
        // Senders.
        {"From already qualified", "From: Cron Daemon <root@example.org>\n", ""},
        {"From bare", "From: root\n", "From: root@example.org\n"},
        {"From @localhost", "From: \"Root User\" <root@localhost>\n",
         "From: Root User <root@example.org>\n"},
        {"Sender and Reply-To", "Sender: root\nReply-To: pi\n",
         "Sender: root@example.org\nReply-To: pi@example.org\n"},
        {"From never aliased", "From: www-data\n", "From: www-data@example.org\n"},
        {"sender_map, display name kept", "From: root (Cron Daemon)\n",
         "From: Cron Daemon <torres@example.net>\n", "/.+/ torres@example.net\n"},
        {"sender_map on a remote From", "From: \"Bob B.\" <bob@example.com>\n",
         "From: \"Bob B.\" <torres@example.net>\n", "/.+/ torres@example.net\n"},
        {"Reply-To is not sender_mapped", "Reply-To: bob@example.com\n", "",
         "/.+/ torres@example.net\n"},
        {"not an address: left alone", "From: Cron Daemon\n", ""},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        Config config;
        config.hostname = "relay.example.org";
        config.sender_domain = "example.org";
        AddressRewriter rw(config, {map_of(kAliases), map_of(c.sender_map)});
        const std::string in = crlf(c.in + "Subject: x\n");
        HeaderBlock h = HeaderBlock::parse(in + "\r\nbody\r\n", nullptr);
        rewrite_address_headers(h, rw);
        const std::string want = c.want.empty() ? in : crlf(c.want + "Subject: x\n");
        CHECK(h.serialize(false) == want);
    }
}

TEST_CASE("header rewriting folds long lists", "[header_rewriter]") {
    std::vector<std::string> items;
    for (int i = 0; i < 6; ++i)
        items.push_back("Person Number " + std::to_string(i) + " <person" + std::to_string(i) +
                        "@example.net>");
    std::string v = fold_address_list("To", items);
    CHECK(v ==
          "Person Number 0 <person0@example.net>,\r\n"
          " Person Number 1 <person1@example.net>, Person Number 2 <person2@example.net>,\r\n"
          " Person Number 3 <person3@example.net>, Person Number 4 <person4@example.net>,\r\n"
          " Person Number 5 <person5@example.net>");
    size_t start = 0;
    std::string line_text = "To: " + v;
    while (start < line_text.size()) {
        size_t end = line_text.find("\r\n", start);
        if (end == std::string::npos) end = line_text.size();
        CHECK(end - start <= 78);
        start = end + 2;
    }
    CHECK(fold_address_list("To", {"a@b"}) == "a@b");
}
