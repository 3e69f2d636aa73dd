// How `nullrelay stats` shows what it was told (queue_stats.hpp): lines for a person, or one
// JSON object for a script (`--json`). Without a daemon there are no counters: the text says
// so, the JSON has "counters": null.
#pragma once

#include <string>

#include "control/queue_stats.hpp"

namespace nullrelay {

std::string stats_text(const QueueStats& stats);
std::string stats_json(const QueueStats& stats);

}  // namespace nullrelay
