// Tests for encoded_word.hpp: RFC 2047 words of at most 75 characters that decode back to
// the text, never cut inside a UTF-8 character, Q for mostly-ASCII text and B otherwise.
#include "mail/encoded_word.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mail/charset.hpp"
#include "mail/mailbox.hpp"
#include "mime_test_codecs.hpp"

using namespace nullrelay;
using nullrelay::testing::decode_words;

namespace {

std::vector<std::string> words_of(const std::string& s) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < s.size()) {
        size_t sp = s.find(' ', pos);
        if (sp == std::string::npos) sp = s.size();
        out.push_back(s.substr(pos, sp - pos));
        pos = sp + 1;
    }
    return out;
}

}  // namespace

TEST_CASE("encoded words: short text, Q encoding", "[encoded_word]") {
    CHECK(encode_words("caf\xC3\xA9 au lait", "utf-8") == "=?utf-8?Q?caf=C3=A9_au_lait?=");
    CHECK(decode_words(encode_words("a_b=c?d", "utf-8")) == "a_b=c?d");
}

TEST_CASE("encoded words: mostly 8-bit text takes B", "[encoded_word]") {
    std::string cyrillic = "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82";  // Привет
    std::string w = encode_words(cyrillic, "utf-8");
    CHECK(w.starts_with("=?utf-8?B?"));
    CHECK(decode_words(w) == cyrillic);
}

TEST_CASE("encoded words: long text is cut into words of 75 at most, between characters",
          "[encoded_word]") {
    std::string text;
    for (int i = 0; i < 60; ++i)
        text += "\xC3\xA9t\xC3\xA9 ";  // été
    for (std::string_view charset : {"utf-8", "unknown-8bit"}) {
        std::string w = encode_words(text, charset);
        auto words = words_of(w);
        CHECK(words.size() > 3);
        for (const auto& word : words) {
            INFO(word);
            CHECK(word.size() <= 75);
            CHECK(looks_like_encoded_word(word));
            if (charset == "utf-8") {
                std::string one = decode_words(word);
                CHECK(is_valid_utf8(one));  // no character cut in two
            }
        }
        CHECK(decode_words(w) == text);
    }
    std::string cjk;
    for (int i = 0; i < 80; ++i)
        cjk += "\xE6\xBC\xA2";  // 漢
    for (const auto& word : words_of(encode_words(cjk, "utf-8"))) {
        CHECK(word.size() <= 75);
        CHECK(is_valid_utf8(decode_words(word)));
    }
}

TEST_CASE("encoded words: recognising one", "[encoded_word]") {
    CHECK(looks_like_encoded_word("=?utf-8?q?x?="));
    CHECK(looks_like_encoded_word("=?ISO-8859-1?B?QQ==?="));
    CHECK_FALSE(looks_like_encoded_word("=?utf-8?x?="));
    CHECK_FALSE(looks_like_encoded_word("hello"));
    CHECK_FALSE(looks_like_encoded_word("=?utf-8?Z?abc?="));
}

TEST_CASE("format_mailbox: an 8-bit display name as encoded-words that fit the From: line",
          "[encoded_word]") {
    CHECK(format_mailbox("Jos\xC3\xA9", "jose@example.org") ==
          "=?utf-8?Q?Jos=C3=A9?= <jose@example.org>");
    CHECK(format_mailbox("Ren\xE9", "rene@example.org") ==  // Latin-1 from a GECOS field
          "=?unknown-8bit?Q?Ren=E9?= <rene@example.org>");
    std::string long_name;
    for (int i = 0; i < 20; ++i)
        long_name += "\xC3\x89milie ";
    std::string m = format_mailbox(long_name, "e@example.org");
    CHECK(("From: " + m).find(' ', 6) <= 76);  // the first word fits after "From: "
    CHECK(decode_words(m.substr(0, m.find(" <"))) == long_name);
}
