// maildrop files are written by local users: the daemon's first parser of hostile input.
#include <cstdint>
#include <string>

#include "mail/address.hpp"
#include "queue/maildrop_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    size_t offset = 0;
    auto env = nullrelay::parse_maildrop_header(text, &offset);
    if (!env) return 0;
    if (offset > text.size()) __builtin_trap();
    for (const auto& r : env->recipients)
        if (!nullrelay::is_valid_envelope_address(r)) __builtin_trap();
    auto again = nullrelay::format_maildrop_header(*env);
    if (!again) __builtin_trap();  // what parsed must be writable
    return 0;
}
