// Message headers come from local users: the header block parser, address lists and the
// pickup cleanup must take anything.
#include <cstdint>
#include <string>

#include "mail/address.hpp"
#include "mail/header_block.hpp"
#include "nullrelayd/message_cleanup.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    size_t body = 0;
    auto headers = nullrelay::HeaderBlock::parse(text, &body);
    if (body > text.size()) __builtin_trap();
    // Untouched headers serialise back byte for byte.
    std::string again = headers.serialize(headers.had_separator());
    if (again != text.substr(0, body)) __builtin_trap();
    (void)nullrelay::HeaderBlock::complete(text);
    for (const auto& f : headers.fields())
        (void)nullrelay::parse_address_list(f.value());
    nullrelay::clean_up_headers(headers, {"0123456789ABCDEF", "relay.example.org", "a@b", "N", 0});
    return 0;
}
