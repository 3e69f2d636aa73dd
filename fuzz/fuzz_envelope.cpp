// Queue files are parsed strictly; whatever parses serialises and parses back the same.
#include <cstdint>
#include <string>

#include "queue/envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto env = nullrelay::parse_envelope(text);
    if (!env) return 0;
    auto out = nullrelay::serialize_envelope(*env);
    if (!out) return 0;  // e.g. a field the writer refuses (it never wrote such a file)
    auto back = nullrelay::parse_envelope(*out);
    if (!back || !(*back == *env)) __builtin_trap();
    return 0;
}
