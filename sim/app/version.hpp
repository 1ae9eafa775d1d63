#pragma once

namespace citytwin::sim::app {
// Set by CMake from the project version.
inline constexpr const char* kVersion = CITYTWIN_VERSION;
}  // namespace citytwin::sim::app
