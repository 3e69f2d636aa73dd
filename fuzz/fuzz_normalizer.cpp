// The line-ending normaliser: streaming gives the same bytes as one call, the output has
// only CRLF line ends, and normalising twice changes nothing.
#include <cstdint>
#include <string>

#include "mail/message_normalizer.hpp"

namespace {

std::string run(std::string_view in, size_t chunk, nullrelay::MessageNormalizer::Options o) {
    nullrelay::MessageNormalizer n(o);
    std::string out;
    for (size_t i = 0; i < in.size() && !n.ended(); i += chunk)
        n.feed(in.substr(i, chunk), out);
    n.finish(out);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
    if (size < 1) return 0;
    nullrelay::MessageNormalizer::Options o{(data[0] & 1) != 0, (data[0] & 2) != 0};
    size_t chunk = 1 + data[0] / 4;
    std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
    std::string whole = run(in, in.size() + 1, o);
    if (run(in, chunk, o) != whole) __builtin_trap();
    for (size_t i = 0; i < whole.size(); ++i) {
        if (whole[i] == '\r' && (i + 1 >= whole.size() || whole[i + 1] != '\n')) __builtin_trap();
        if (whole[i] == '\n' && (i == 0 || whole[i - 1] != '\r')) __builtin_trap();
    }
    if (run(whole, whole.size() + 1, {}) != whole) __builtin_trap();
    return 0;
}
