// The quantities that change over a run, as the scenario states them (drivers.<quantity>, drivers.flood):
// what each source says, in the quantity's unit (sim/scenario/quantities.hpp). sim/drivers turns them
// into values per district over time; nothing here evaluates a flood.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "sim/scenario/source_mark.hpp"

namespace citytwin::sim::scenario {

// How a series goes from one point to the next: held until the next point (step) or along the
// straight line to it (linear). Before the first point and after the last, the series is held.
enum class Interpolation : uint8_t { Linear, Step };

// Points (t_s increasing; derived series may repeat a time, for a jump) and how to join them.
struct SeriesData {
  std::vector<double> t_s;
  std::vector<double> value;
  Interpolation interpolation = Interpolation::Linear;

  bool empty() const { return t_s.empty(); }
  // The value at t_s (0 for an empty series).
  double at(double t_s) const;
  // The value just before t_s (differs from at() only at a step's point).
  double before(double t_s) const;
};

// A daily profile with rush hours: base, raised to each rush hour's value at its peak along a raised
// cosine that returns to base `width` either side of it (where rush hours overlap, the higher wins).
// The time of day at t = 0 is start_of_day_s.
struct RushHour {
  double peak_s = 0.0;  // time of day
  double width_s = 3600.0;
  double value = 0.0;
};
struct DailyProfile {
  double base = 0.0;
  std::vector<RushHour> rush_hours;
  double start_of_day_s = 0.0;
  double at(double t_s) const;
};

// An event at a time: over [start_s, end_s) the value becomes value * factor + add, in the listed
// districts (empty: all).
struct DriverEvent {
  double start_s = 0.0;
  double end_s = 0.0;
  double factor = 1.0;
  double add = 0.0;
  std::vector<std::string> districts;
  WrittenEntry written{};  // where it was written (sim/city/schedule_warnings.hpp)
};

// One quantity's source: a constant, points, a daily profile, or a CSV file (one value column for the
// whole city, or one column per district), then events on top. Districts outside `districts` (when
// given) hold the quantity's rest value.
struct QuantitySource {
  enum class Kind : uint8_t { Constant, Points, Daily, Csv } kind = Kind::Constant;
  std::string quantity;  // a name of sim/scenario/quantities.hpp
  double constant = 0.0;
  SeriesData series;                                             // Points, or a CSV with one value column
  std::vector<std::pair<std::string, SeriesData>> per_district;  // a CSV with a column per district
  DailyProfile daily;
  std::vector<std::string> districts;  // where the source applies; empty: every district
  std::vector<DriverEvent> events;
  std::string csv_file;  // as resolved (for messages)
  SourceMark mark;       // where drivers.<quantity> is written (file:line, or the --set that wrote it)
  // A CSV of date-times: the date-time its t = 0 stands for (s since the Unix epoch; NaN otherwise), as
  // written (`start`, else its first row's time), and whether `start` gave it.
  double csv_origin_s = std::numeric_limits<double>::quiet_NaN();
  std::string csv_origin_text;
  bool csv_start_given = false;
};

// Flood replay (drivers.flood): each district's ground elevation (m, the river gauge's datum), the
// delay before the river reaches it, the drainage capacity that rainfall must exceed to pond, and
// what water does to the district's power and devices. A district without an elevation never floods
// from the river.
struct FloodSpec {
  bool enabled = false;
  std::vector<std::pair<std::string, double>> elevation_m;  // district, elevation
  double delay_s = 0.0;                                     // every district, unless in delays
  std::vector<std::pair<std::string, double>> delays_s;     // district, delay
  // Rainfall beyond this ponds: the storm drains' design capacity. 50 mm/h is an assumption, a design
  // storm of a few years' return period; each city's drainage code gives its own: set it.
  double drainage_mm_h = 50.0;
  double step_s = 60.0;        // integration step of the ponding, and sampling of the depth
  double power_depth_m = 0.0;  // mains power is cut while the depth is above this
  double restore_s = 0.0;      // power returns this long after the water falls back
  // Ground-mounted devices die once the water is deeper than this. 0.3 m is an assumption (a pit- or
  // kerb-level enclosure's electronics); set it for the devices the city has.
  double submerged_depth_m = 0.3;
};

}  // namespace citytwin::sim::scenario
