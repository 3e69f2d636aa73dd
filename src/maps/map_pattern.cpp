#include "maps/map_pattern.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <fmt/format.h>

namespace nullrelay {

namespace {

// Bounds for the interpreter (the JIT has its own fixed stack and honours the match limit).
constexpr std::uint32_t kDepthLimit = 1'000;
constexpr std::uint32_t kHeapLimitKiB = 4 * 1024;

// Shared, never modified after creation (PCRE2 only reads it while matching; it takes a
// non-const pointer all the same).
pcre2_match_context* match_context() {
    static pcre2_match_context* context = [] {
        pcre2_match_context* c = pcre2_match_context_create(nullptr);
        pcre2_set_match_limit(c, kPatternMatchLimit);
        pcre2_set_depth_limit(c, kDepthLimit);
        pcre2_set_heap_limit(c, kHeapLimitKiB);
        return c;
    }();
    return context;
}

std::string pcre2_message(int code) {
    PCRE2_UCHAR buf[256];
    if (pcre2_get_error_message(code, buf, sizeof buf) < 0) return fmt::format("error {}", code);
    return reinterpret_cast<const char*>(buf);
}

std::uint32_t info(const pcre2_code* code, std::uint32_t what) {
    std::uint32_t v = 0;
    pcre2_pattern_info(code, what, &v);
    return v;
}

}  // namespace

void MapPattern::CodeDeleter::operator()(pcre2_real_code_8* code) const {
    pcre2_code_free(code);
}

Result<MapPattern> MapPattern::compile(std::string_view regex, const PatternFlags& flags) {
    std::uint32_t options = 0;
    if (flags.caseless) options |= PCRE2_CASELESS;
    if (flags.multiline) options |= PCRE2_MULTILINE;
    if (flags.dotall) options |= PCRE2_DOTALL;
    if (flags.extended) options |= PCRE2_EXTENDED;
    if (flags.anchored) options |= PCRE2_ANCHORED;
    if (flags.dollar_endonly) options |= PCRE2_DOLLAR_ENDONLY;
    if (flags.ungreedy) options |= PCRE2_UNGREEDY;
    int error = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.data()), regex.size(),
                                     options, &error, &offset, nullptr);
    if (!code)
        return Error{EX_CONFIG, fmt::format("bad regular expression: {} at offset {}",
                                            pcre2_message(error), offset)};
    MapPattern p;
    p.code_.reset(code);
    // No JIT, on purpose: measured with PCRE2 10.42 on 10,000 address patterns, a JIT-compiled
    // pattern took 3 to 5 times longer than the interpreter to fail on a short subject (each
    // pattern's own machine code is cold), and loading took 4 times longer.
    // No prefilter of our own either: pcre2_match already fails fast on a subject shorter
    // than the pattern's minimum length or without its first or required code unit.
    p.captures_ = static_cast<int>(info(code, PCRE2_INFO_CAPTURECOUNT));
    return p;
}

PatternMatcher::PatternMatcher(int max_captures)
    : data_(pcre2_match_data_create(static_cast<std::uint32_t>(max_captures) + 1, nullptr)) {}

PatternMatcher::~PatternMatcher() {
    pcre2_match_data_free(data_);
}

Result<bool> PatternMatcher::match(const MapPattern& p, std::string_view subject) {
    if (!data_) return Error{EX_OSERR, "out of memory for a regular expression match"};
    int rc = pcre2_match(p.code_.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()),
                         subject.size(), 0, 0, data_, match_context());
    if (rc >= 0) return true;
    if (rc == PCRE2_ERROR_NOMATCH) return false;
    return Error{EX_SOFTWARE, fmt::format("regular expression gave up: {}", pcre2_message(rc))};
}

std::string_view PatternMatcher::group(std::string_view subject, int n) const {
    if (n < 0 || static_cast<std::uint32_t>(n) >= pcre2_get_ovector_count(data_)) return {};
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data_);
    PCRE2_SIZE start = ov[2 * n], end = ov[2 * n + 1];
    if (start == PCRE2_UNSET || end < start || end > subject.size()) return {};
    return subject.substr(start, end - start);
}

}  // namespace nullrelay
