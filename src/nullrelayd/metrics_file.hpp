// The Prometheus text file for node_exporter's textfile collector (metrics_file in
// nullrelay.conf(5); issue 22). Written by the event loop, never by a delivery thread:
// to a temporary file beside it (`.name.tmp`, which the collector ignores: it reads *.prom),
// fsynced and renamed over it, so the collector never reads half a file. At most once per
// metrics_interval, and only when something may have changed (the event loop woke up, or mail
// waits: its age grows) and the text differs from what was last written: an idle daemon with
// an empty queue neither wakes up nor writes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace nullrelay {

class MetricsFile {
  public:
    // Takes the configuration (path "" turns it off); a change of path writes at once.
    void configure(const std::string& path, std::chrono::seconds interval);
    bool enabled() const { return !path_.empty(); }
    // Something happened: the next due write looks again.
    void touch() { dirty_ = true; }
    // Milliseconds until a write is due (0: now), or -1: none is pending.
    int timeout_ms(std::int64_t now_ms) const;

    struct Rendered {
        std::string text;
        bool changing = false;  // mail waits: its age changes by itself, look again later
    };
    // Writes the file when a write is due. Failures are logged (once until the next success).
    void write_if_due(std::int64_t now_ms, const std::function<Rendered()>& render);

  private:
    std::string path_;
    std::int64_t interval_ms_ = 60'000;
    std::int64_t next_ms_ = 0;
    bool dirty_ = true;
    bool failing_ = false;
    std::string written_;  // what the file holds
};

}  // namespace nullrelay
