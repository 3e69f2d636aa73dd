// sendmail's argv is written by any local user. Input: NUL-separated words.
#include <cstdint>
#include <string>
#include <vector>

#include "mail/address.hpp"
#include "sendmail/sendmail_args.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
    std::vector<std::string> words(1);
    for (size_t i = 0; i < size; ++i) {
        if (data[i] == 0)
            words.emplace_back();
        else
            words.back() += static_cast<char>(data[i]);
    }
    auto parsed = nullrelay::parse_sendmail_args(words);
    (void)nullrelay::find_config_option(words);
    if (parsed) {
        // Whatever was accepted must be safe to put on an SMTP command line.
        for (const auto& r : parsed->recipients)
            if (!nullrelay::is_valid_envelope_address(r)) __builtin_trap();
        if (parsed->sender && !parsed->sender->empty() &&
            !nullrelay::is_valid_envelope_address(*parsed->sender))
            __builtin_trap();
    }
    return 0;
}
