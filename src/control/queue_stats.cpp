#include "control/queue_stats.hpp"

#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "queue/queue_id.hpp"

namespace nullrelay {

namespace {

// The integer and fractional fields, by name, one table for both directions.
struct Table {
    std::vector<std::pair<std::string, std::int64_t*>> ints;
    std::vector<std::pair<std::string, std::uint64_t*>> counts;
    std::vector<std::pair<std::string, double*>> reals;
};

Table queue_table(QueueStats& s) {
    return {
        {{"now", &s.now}, {"oldest_arrival", &s.oldest_arrival}, {"paused_since", &s.paused_since}},
        {{"queued", &s.queued},
         {"deferred", &s.deferred},
         {"active", &s.active},
         {"held", &s.held},
         {"failed", &s.failed},
         {"maildrop", &s.maildrop},
         {"unreadable", &s.unreadable}},
        {}};
}

Table counter_table(DeliveryCounts& c) {
    Table t{{{"started", &c.started}, {"last_delivery", &c.last_delivery}},
            {{"delivered", &c.delivered},
             {"deliveries_deferred", &c.deferred},
             {"bounced", &c.bounced},
             {"connections_opened", &c.connections_opened},
             {"connections_reused", &c.connections_reused},
             {"latency_count", &c.latency_count}},
            {{"latency_sum", &c.latency_sum},
             {"latency_median", &c.latency_median},
             {"latency_p99", &c.latency_p99}}};
    for (size_t i = 0; i < kFailureClasses; ++i)
        t.counts.push_back({fmt::format("failures_{}", kFailureClassNames[i]), &c.failures[i]});
    return t;
}

void add(StatsFields& out, Table t) {
    for (auto& [name, v] : t.ints)
        out.push_back({name, std::to_string(*v)});
    for (auto& [name, v] : t.counts)
        out.push_back({name, std::to_string(*v)});
    for (auto& [name, v] : t.reals)
        out.push_back({name, fmt::format("{:.6f}", *v)});
}

template <typename T>
bool parse_number(const std::string& s, T& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

// Sets the field called `name` in t; false when t has none of that name.
Result<bool> set(Table& t, const std::string& name, const std::string& value) {
    auto bad = [&] { return Error{EX_PROTOCOL, fmt::format("bad stat value {} {}", name, value)}; };
    for (auto& [n, v] : t.ints)
        if (n == name) return parse_number(value, *v) ? Result<bool>(true) : bad();
    for (auto& [n, v] : t.counts)
        if (n == name) return parse_number(value, *v) ? Result<bool>(true) : bad();
    for (auto& [n, v] : t.reals)
        if (n == name) {
            char* end = nullptr;
            *v = std::strtod(value.c_str(), &end);
            if (value.empty() || *end || !(*v >= 0)) return bad();
            return true;
        }
    return false;
}

}  // namespace

std::int64_t queue_id_arrival(std::string_view id) {
    if (!is_valid_queue_id(id)) return 0;
    std::int64_t micros = 0;
    auto [end, ec] = std::from_chars(id.data(), id.data() + 13, micros, 16);
    if (ec != std::errc() || end != id.data() + 13) return 0;
    return micros / 1'000'000;
}

StatsFields stats_fields(const QueueStats& stats) {
    QueueStats s = stats;
    StatsFields out;
    add(out, queue_table(s));
    if (s.counters) {
        out.push_back({"counters", "1"});
        add(out, counter_table(*s.counters));
    }
    return out;
}

Result<QueueStats> stats_from_fields(const StatsFields& fields) {
    QueueStats s;
    DeliveryCounts c;
    Table q = queue_table(s), k = counter_table(c);
    bool have_counters = false;
    for (const auto& [name, value] : fields) {
        if (name == "counters") {
            have_counters = value == "1";
            continue;
        }
        auto in_queue = set(q, name, value);
        if (!in_queue) return in_queue.error();
        if (*in_queue) continue;
        auto in_counters = set(k, name, value);
        if (!in_counters) return in_counters.error();
    }
    if (have_counters) s.counters = c;
    return s;
}

}  // namespace nullrelay
