// The alias map parser (Postfix regexp:/pcre: syntax) and its lookup. Input: the map text,
// then a NUL byte, then keys to look up, one a line. A map is written by the admin, but it is
// parsed by the daemon and by `nullrelay rewrite`: it must give an error, never a crash, and
// a lookup must end (PCRE2's match limit) with a result or an error.
#include <cstdint>
#include <string>
#include <string_view>

#include "maps/alias_map.hpp"
#include "util/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    size_t nul = input.find('\0');
    std::string_view text = input.substr(0, nul);
    std::string_view keys = nul == std::string_view::npos ? "root" : input.substr(nul + 1);
    auto map = nullrelay::AliasMap::parse(text, "fuzz.map");
    if (!map) {
        if (map.error().message.rfind("fuzz.map", 0) != 0) __builtin_trap();  // names the file
        return 0;
    }
    int n = 0;
    for (std::string_view key : nullrelay::split(keys, '\n')) {
        if (++n > 16) break;
        auto found = map->lookup(key);
        if (found && *found && (*found)->line < 1) __builtin_trap();  // a rule has a line
    }
    return 0;
}
