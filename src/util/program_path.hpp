// Where the sibling programs live: beside the running binary, so a build tree and an
// installation both work without configuration.
#pragma once

#include <string>

namespace nullrelay {

std::string sibling_program(const std::string& name);

}  // namespace nullrelay
