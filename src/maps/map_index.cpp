#include "maps/map_index.hpp"

#include <algorithm>

#include "util/text.hpp"

namespace nullrelay {

namespace {
constexpr size_t kNone = static_cast<size_t>(-1);
}

void MapIndex::add(size_t entry, const MapPattern& pattern, bool negated, bool is_rule) {
    Family& f = pattern.caseless() ? caseless_ : exact_;
    const PatternLiterals& lit = pattern.literals();
    if (negated || lit.prefixes.empty()) {  // "does not match /x/" can match anything
        always_.push_back(entry);
    } else if (is_rule && lit.exact) {
        for (const auto& s : lit.prefixes)
            f.literals.emplace(s, entry);  // an earlier rule for the same string keeps it
    } else {
        for (const auto& p : lit.prefixes)
            f.by_prefix_length[p.size()][p].push_back(entry);
    }
}

void MapIndex::add_hits(const Family& f, const std::string& key, size_t& best,
                        std::vector<size_t>& hits) const {
    if (auto it = f.literals.find(key); it != f.literals.end()) best = std::min(best, it->second);
    for (const auto& [length, table] : f.by_prefix_length) {
        if (length > key.size()) break;
        auto it = table.find(key.substr(0, length));
        if (it != table.end()) hits.insert(hits.end(), it->second.begin(), it->second.end());
    }
}

void MapIndex::candidates(std::string_view key, std::vector<size_t>& out) const {
    size_t best = kNone;
    std::vector<size_t> hits;
    add_hits(caseless_, to_lower(key), best, hits);
    add_hits(exact_, std::string(key), best, hits);
    std::sort(hits.begin(), hits.end());  // an entry with two prefixes may come twice
    hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
    out.clear();
    // Merge the two sorted lists, up to the first rule that matches the whole key.
    auto a = always_.begin();
    auto h = hits.begin();
    for (;;) {
        size_t next = std::min(a != always_.end() ? *a : kNone, h != hits.end() ? *h : kNone);
        if (next == kNone || next >= best) break;
        out.push_back(next);
        if (a != always_.end() && *a == next) ++a;
        if (h != hits.end() && *h == next) ++h;
    }
    if (best != kNone) out.push_back(best);
}

}  // namespace nullrelay
