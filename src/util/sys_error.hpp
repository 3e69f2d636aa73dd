// The text of an errno value, for error messages that name what failed and why.
#pragma once

#include <string>

namespace nullrelay {

std::string errno_text(int err);

}  // namespace nullrelay
