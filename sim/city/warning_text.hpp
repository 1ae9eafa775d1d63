// How the city's load-time warnings write names and numbers: names quoted, numbers to a few significant
// digits, and times as the seconds the engine counts, with hours beside them where a schedule is usually
// written in hours. Shared by resolve.cpp and the warnings it issues (driver_, schedule_, key_,
// downlink_warnings.cpp, pulse_current.cpp).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "sim/scenario/scenario_yaml.hpp"

namespace citytwin::sim::city {

// value to `digits` significant digits, as printf's %g writes it: "0.1", "3.18e-05" (3), "16.15" (4).
inline std::string significant(double value, int digits = 3) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*g", digits, value);
  return text;
}

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

// Names written back quoted, each cut to an excerpt: "'riverside', 'docks'".
inline std::string quoted_names(const std::vector<std::string>& list) {
  std::string text;
  for (const std::string& name : list) text += (text.empty() ? "'" : ", '") + scenario::excerpt(name) + "'";
  return text;
}

// Why a backup (a gateway's, an OLT's) or an OLT's district does nothing where scenario::power_may_fail
// says no cut comes: "no power cut reaches 'docks' (drivers.power_outages) and no flood is driven (...)".
inline std::string no_power_cut_text(const std::vector<std::string>& districts) {
  return "no power cut reaches " + quoted_names(districts) +
         " (drivers.power_outages) and no flood is driven (drivers.flood, drivers.inundation_depth)";
}

}  // namespace citytwin::sim::city
