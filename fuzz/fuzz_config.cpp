#include <cstdint>
#include <string>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto config = nullrelay::parse_config(text, "fuzz.conf");
    if (!config && config.error().message.rfind("fuzz.conf", 0) != 0) __builtin_trap();
    return 0;
}
