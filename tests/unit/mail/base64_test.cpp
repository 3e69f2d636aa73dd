// Tests for base64.hpp: RFC 4648's test vectors, both alphabets, and decoding.
#include "mail/base64.hpp"

#include <catch2/catch.hpp>

using namespace nullrelay;

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
