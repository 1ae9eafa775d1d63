// How the city's load-time warnings write times: the seconds the engine counts, and hours beside them
// where a schedule is usually written in hours. Shared by driver_warnings.cpp and schedule_warnings.cpp.
#pragma once

#include <cstdio>
#include <string>

namespace citytwin::sim::city {

// "7200 s".
inline std::string seconds_text(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f s", s);
  return text;
}

// "90000 s (25 h)", or "90 s" under an hour.
inline std::string when_text(double s) {
  char text[64];
  if (s >= 3600.0)
    std::snprintf(text, sizeof text, "%.0f s (%.4g h)", s, s / 3600.0);
  else
    std::snprintf(text, sizeof text, "%.4g s", s);
  return text;
}

}  // namespace citytwin::sim::city
