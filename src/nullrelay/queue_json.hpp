// `nullrelay queue --json`: one JSON object per line per message, for scripts (the shape of
// Postfix's `postqueue -j`, with our fields). The keys and their meaning are listed in
// nullrelay(8); new keys may be added, existing ones keep their meaning.
#pragma once

#include <string>
#include <string_view>

#include "control/listed_message.hpp"

namespace nullrelay {

// A JSON string literal, quotes included. Bytes that are not valid UTF-8 (a smarthost's
// reply may hold anything) become U+FFFD, so the output is always valid JSON.
std::string json_string(std::string_view text);

// One line: {"id": ..., "state": ..., "recipients": [...]}\n
std::string format_json_message(const ListedMessage& listed);

}  // namespace nullrelay
