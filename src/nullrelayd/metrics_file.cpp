#include "nullrelayd/metrics_file.hpp"

#include <algorithm>

#include "util/durable_io.hpp"
#include "util/log.hpp"

namespace nullrelay {

void MetricsFile::configure(const std::string& path, std::chrono::seconds interval) {
    interval_ms_ = std::max<std::int64_t>(interval.count(), 1) * 1000;
    if (path == path_) return;
    path_ = path;
    next_ms_ = 0;
    dirty_ = true;
    written_.clear();
}

int MetricsFile::timeout_ms(std::int64_t now_ms) const {
    if (!enabled() || !dirty_) return -1;
    return static_cast<int>(std::clamp<std::int64_t>(next_ms_ - now_ms, 0, interval_ms_));
}

void MetricsFile::write_if_due(std::int64_t now_ms, const std::function<Rendered()>& render) {
    if (!enabled() || !dirty_ || now_ms < next_ms_) return;
    Rendered r = render();
    dirty_ = r.changing;
    next_ms_ = now_ms + interval_ms_;
    if (r.text == written_) return;
    if (Status st = replace_file_durably(path_, r.text, 0644); !st) {
        if (!failing_) log_warning("metrics_file: {}", st.error().message);
        failing_ = true;
        dirty_ = true;  // try again at the next interval
        return;
    }
    if (failing_) log_info("metrics_file: {} written again", path_);
    failing_ = false;
    written_ = std::move(r.text);
}

}  // namespace nullrelay
