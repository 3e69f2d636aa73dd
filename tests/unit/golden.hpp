// Golden files (tests/data): expected bytes that outputs are compared with, byte for byte.
#pragma once

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

inline std::string golden(const std::string& name) {
    std::ifstream in(std::string(NULLRELAY_TEST_DATA) + "/" + name, std::ios::binary);
    REQUIRE(in);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
