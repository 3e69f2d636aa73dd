#include "nullrelay/stats_command.hpp"

#include <cstdio>

#include "control/queue_stats.hpp"
#include "nullrelay/queue_client.hpp"
#include "nullrelay/stats_format.hpp"
#include "util/terminal_text.hpp"

namespace nullrelay {

namespace {

class StatsSink : public ReplySink {
  public:
    void message(const ListedMessage&) override {}
    void problem(const Error&) override {}
    void result(const Outcome&) override {}
    void waiting(const std::string&) override {}
    void content(UniqueFd) override {}
    void stat(const std::string& name, const std::string& value) override {
        fields.push_back({name, value});
    }
    StatsFields fields;
};

int fail(const Error& e) {
    std::fprintf(stderr, "nullrelay: %s\n", terminal_safe(e.message).c_str());
    return e.exit_code;
}

}  // namespace

int show_stats(const AdminContext& ctx, bool json) {
    StatsSink sink;
    Request request;
    request.action = Action::stats;
    if (Status st = run_queue_request(ctx.config, ctx.config_path, request, sink); !st)
        return fail(st.error());
    auto stats = stats_from_fields(sink.fields);
    if (!stats) return fail(stats.error());
    if (stats->now == 0) return fail({EX_PROTOCOL, "nullrelayd sent no statistics"});
    const std::string out = json ? stats_json(*stats) : stats_text(*stats);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return EX_OK;
}

}  // namespace nullrelay
