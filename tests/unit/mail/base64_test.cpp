// Tests for base64.hpp: RFC 4648's test vectors, both alphabets, and decoding; 76-character
// lines for MIME bodies whatever the chunking, and the re-cutting of a body already in base64
// that keeps what it decodes to.
#include "mail/base64.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "mime_test_codecs.hpp"

using namespace nullrelay;
using nullrelay::testing::lenient_base64_decode;

TEST_CASE("base64: RFC 4648 section 10 vectors, both ways", "[base64]") {
    const std::vector<std::pair<std::string, std::string>> table = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : table) {
        INFO(plain);
        CHECK(base64_encode(plain) == encoded);
        CHECK(base64_decode(encoded) == plain);
    }
    CHECK(base64url_encode("\xfb\xff") == "-_8");
    CHECK(base64_decode("Zm9vYg") == "foob");  // padding optional
    CHECK_FALSE(base64_decode("Zm9v!"));
    CHECK_FALSE(base64_decode("Z"));
}

TEST_CASE("base64 lines: 76 characters, CRLF between, any chunking", "[base64]") {
    std::mt19937 rng(6);
    for (int round = 0; round < 50; ++round) {
        std::string data;
        size_t n = rng() % 2000;
        for (size_t i = 0; i < n; ++i)
            data += static_cast<char>(rng() % 256);
        Base64LineEncoder whole;
        std::string out;
        whole.feed(data, out);
        whole.finish(out);
        CHECK(lenient_base64_decode(out) == data);
        size_t pos = 0;
        while (pos < out.size()) {
            size_t eol = out.find("\r\n", pos);
            size_t len = (eol == std::string::npos ? out.size() : eol) - pos;
            CHECK(len <= 76);
            if (eol != std::string::npos) CHECK(len == 76);  // only the last line is short
            pos = eol == std::string::npos ? out.size() : eol + 2;
        }
        CHECK_FALSE(out.ends_with("\r\n"));
        Base64LineEncoder pieces;
        std::string out2;
        for (size_t i = 0; i < data.size();) {
            size_t k = 1 + rng() % 100;
            pieces.feed(std::string_view(data).substr(i, k), out2);
            i += k;
        }
        pieces.finish(out2);
        CHECK(out2 == out);
    }
}

TEST_CASE("base64 rewrap: one long line becomes lines of 76, same decoded bytes", "[base64]") {
    std::string data(3000, '\0');
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<char>(i * 7);
    std::string one_line = base64_encode(data);
    std::string junk = one_line.substr(0, 100) + " \t\xC3\xA9" + one_line.substr(100) + "\r\n";
    Base64Rewrap r;
    std::string out;
    r.feed(junk.substr(0, 333), out);
    r.feed(junk.substr(333), out);
    r.finish(out);
    CHECK(lenient_base64_decode(out) == data);
    for (unsigned char c : out)
        CHECK(c < 0x80);
    size_t first_break = out.find("\r\n");
    CHECK(first_break == 76);
}
