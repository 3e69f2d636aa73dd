// The version every program prints for --version: the project's, as CMake's project() sets it.
#pragma once

namespace nullrelay {

inline constexpr const char* kVersion = NULLRELAY_VERSION;

}  // namespace nullrelay
