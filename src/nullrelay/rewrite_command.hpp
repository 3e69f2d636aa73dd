// The admin's view of address rewriting: `nullrelay rewrite ADDRESS...` shows each step (which
// map, line and rule matched, what it gave) and the final envelope address; `nullrelay check`,
// `newaliases` and `sendmail -bi` load the maps to validate them.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace nullrelay {

// Prints the rewriting of each address (as a recipient, or as the envelope sender) on stdout.
// Returns EX_OK, EX_CONFIG when a map does not load, EX_DATAERR when an address is not valid
// or its rewriting failed (the output then says where the mail would go instead).
int rewrite_command(const Config& config, const std::vector<std::string>& addresses,
                    bool as_sender);

// Loads alias_map and sender_map and prints a line for each; on error prints it (naming the
// file and line) on stderr. Returns EX_OK or EX_CONFIG.
int check_address_maps(const Config& config);

}  // namespace nullrelay
