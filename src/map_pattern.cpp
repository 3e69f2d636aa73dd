#include "map_pattern.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cctype>

#include <fmt/format.h>

#include "text.hpp"

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

bool is_meta(char c) {
    return std::string_view("^$.[]|()?*+{}\\").find(c) != std::string_view::npos;
}

// True when `re` has a '|' outside every group, i.e. alternatives that each start where they
// like; nullopt when the syntax is beyond this small scanner (\Q...\E, verbs, comments).
std::optional<bool> has_top_level_alternation(std::string_view re) {
    int depth = 0;
    for (size_t i = 0; i < re.size(); ++i) {
        char c = re[i];
        if (c == '\\') {
            if (i + 1 < re.size() && (re[i + 1] == 'Q' || re[i + 1] == 'E')) return std::nullopt;
            ++i;
        } else if (c == '[') {  // a class: ']' first (after '^') is literal; [:alpha:] inside
            size_t j = i + 1;
            if (j < re.size() && re[j] == '^') ++j;
            if (j < re.size() && re[j] == ']') ++j;
            while (j < re.size() && re[j] != ']') {
                if (re[j] == '\\') {
                    j += 2;
                } else if (re[j] == '[' && j + 1 < re.size() && re[j + 1] == ':') {
                    size_t end = re.find(":]", j + 2);
                    if (end == std::string_view::npos) return std::nullopt;
                    j = end + 2;
                } else {
                    ++j;
                }
            }
            if (j >= re.size()) return std::nullopt;
            i = j;
        } else if (c == '(') {
            if (i + 1 < re.size() && re[i + 1] == '*') return std::nullopt;
            if (i + 2 < re.size() && re[i + 1] == '?' && re[i + 2] == '#') return std::nullopt;
            ++depth;
        } else if (c == ')') {
            if (--depth < 0) return std::nullopt;
        } else if (c == '|' && depth == 0) {
            return true;
        }
    }
    return false;
}

// The characters every match starts with, for an anchored pattern: "svc" for ^svc-?\d+.
// Conservative: what it is unsure about ends the prefix early or gives none; `exact` is set
// when the whole pattern is ^literal$ (then it matches that string only).
std::string prefix_of(std::string_view re, const PatternFlags& flags, bool* exact) {
    *exact = false;
    // x: white space and # mean something else. Without '^' (or A) a match starts anywhere.
    if (flags.extended) return "";
    size_t i = 0;
    if (!re.empty() && re[0] == '^')
        i = 1;
    else if (!flags.anchored)
        return "";
    if (has_top_level_alternation(re) != std::optional<bool>(false)) return "";
    std::string out;
    for (; i < re.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(re[i]);
        if (c == '\\') {
            if (i + 1 >= re.size()) return "";
            unsigned char e = static_cast<unsigned char>(re[i + 1]);
            if (std::isalnum(e) || e < 0x21 || e >= 0x7f) break;  // \d, \x41, \Q...: a class
            if (i + 2 < re.size() &&
                std::string_view("?*{").find(re[i + 2]) != std::string_view::npos)
                break;  // the escaped character is optional
            out += static_cast<char>(e);
            ++i;
            continue;
        }
        if (c < 0x20 || c >= 0x7f) return "";
        if (is_meta(static_cast<char>(c))) {
            if (c == '$' && i + 1 == re.size()) *exact = true;
            if (!out.empty() && (c == '?' || c == '*' || c == '{')) out.pop_back();
            break;
        }
        out += static_cast<char>(c);
    }
    // Without UTF mode (which needs "(*UTF)", never a prefix) PCRE2 folds ASCII letters only.
    return flags.caseless ? to_lower(out) : out;
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
    p.flags_ = flags;
    // No JIT, on purpose: measured with PCRE2 10.42 on 10,000 address patterns, a JIT-compiled
    // pattern took 3 to 5 times longer than the interpreter to fail on a short subject (each
    // pattern's own machine code is cold), and loading took 4 times longer.
    p.captures_ = static_cast<int>(info(code, PCRE2_INFO_CAPTURECOUNT));
    p.min_length_ = info(code, PCRE2_INFO_MINLENGTH);
    const std::uint32_t all = info(code, PCRE2_INFO_ALLOPTIONS);
    // In UTF mode a caseless first character may fold to a different first byte (U+017F
    // folds to 's'): no first-byte test there.
    if ((all & PCRE2_ANCHORED) && !(all & PCRE2_UTF)) {
        if (info(code, PCRE2_INFO_FIRSTCODETYPE) == 1) {
            int unit = static_cast<int>(info(code, PCRE2_INFO_FIRSTCODEUNIT) & 0xff);
            p.first_bytes_.set(static_cast<unsigned char>(std::tolower(unit)));
            p.first_bytes_.set(static_cast<unsigned char>(std::toupper(unit)));
        } else if (const std::uint8_t* map = nullptr;
                   pcre2_pattern_info(code, PCRE2_INFO_FIRSTBITMAP, &map) == 0 && map) {
            for (int c = 0; c < 256; ++c)  // (ops|svc): o, s and, caseless, O, S
                if (map[c / 8] & (1u << (c % 8))) p.first_bytes_.set(c);
        }
        p.first_known_ = p.first_bytes_.any();
    }
    bool exact = false;
    p.prefix_ = prefix_of(regex, flags, &exact);
    if (exact) p.literal_ = p.prefix_;
    return p;
}

bool MapPattern::may_match(std::string_view s) const {
    if (s.size() < min_length_) return false;
    if (first_known_ && (s.empty() || !first_bytes_.test(static_cast<unsigned char>(s[0]))))
        return false;
    return true;
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
