// Shared by the tests of nullrelay.conf and of what is made from it: a configuration parsed
// from text (the test fails with the parser's message if it does not parse), and two valid
// SHA-256 public-key pins.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "config/config.hpp"

namespace nullrelay::test {

inline Config parse_ok(const std::string& text, const std::string& path = "t.conf") {
    auto c = parse_config(text, path);
    INFO(text);
    if (!c) FAIL(c.error().message);
    return *c;
}

inline const std::string kPinA = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
inline const std::string kPinB = "uoO3Ao6ViVCh9Ua40zBpy9hlk/+mh6fGW0MQUbvcAOo=";

}  // namespace nullrelay::test
