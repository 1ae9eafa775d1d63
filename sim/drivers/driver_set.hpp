// The quantities that change over a run, per district, over simulated time: every drivers.<quantity>
// of the scenario (sim/scenario/quantities.hpp names them and their units), and inundation_depth
// computed by the flood replay (flood.hpp) from river_level, rainfall and each district's elevation, or
// given directly (drivers.inundation_depth), which floods as the computed depth does.
//
// Built once before the run (DriverSet(scenario)); read-only afterwards, so any thread may ask it.
// Every consumer asks it: event-driven sensors sample the quantity they sense in their district
// (sim/engine/fleet), the gateway timeline takes the flood's power cuts, the trace records what the
// run used (/drivers, record()).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/quantities.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::drivers {

// One quantity, per district. A source given for the whole city (a river gauge, one CSV value
// column) is `uniform`: one curve for every district.
class QuantityField {
 public:
  // One district's curve: a base (constant, points, daily profile) and events on top.
  struct Curve {
    scenario::QuantitySource::Kind kind = scenario::QuantitySource::Kind::Constant;
    double constant = 0.0;
    scenario::SeriesData series;
    scenario::DailyProfile daily;
    std::vector<scenario::DriverEvent> events;  // those applying to the district
    double at(double t_s) const;
    double before(double t_s) const;  // the value just before t_s (at a jump, the old one)
    // Times in [0, end_s] where the curve bends or jumps (linear between them, except a daily profile,
    // which is sampled every `grid_s`).
    std::vector<double> knots(double end_s, double grid_s) const;
  };

  QuantityField(const scenario::QuantityKind& kind, bool uniform, std::vector<Curve> curves)
      : kind_(&kind), uniform_(uniform), curves_(std::move(curves)) {}

  const scenario::QuantityKind& kind() const { return *kind_; }
  std::string_view name() const { return kind_->name; }
  std::string_view unit() const { return kind_->unit; }
  bool uniform() const { return uniform_; }
  double at(size_t district, double t_s) const { return curve(district).at(t_s); }
  double before(size_t district, double t_s) const { return curve(district).before(t_s); }
  const Curve& curve(size_t district) const { return curves_[uniform_ ? 0 : district]; }

 private:
  const scenario::QuantityKind* kind_;
  bool uniform_;
  std::vector<Curve> curves_;  // one when uniform, else one per district
};

// The flood in one district (flood.hpp computes it).
struct DistrictFlood {
  double elevation_m;  // NaN: no elevation given (the river does not reach it)
  double delay_s = 0.0;
  // Intervals (merged, half-open) with the depth above drivers.flood.power_depth: mains power is cut
  // from their start to their end plus drivers.flood.restore.
  std::vector<scenario::TimeInterval> power_cut;
  double inundation_start_s;  // first time the depth is above 0; NaN if never
  double submerged_from_s;    // first time the depth is above submerged_depth; +inf if never
};

// /drivers: every field sampled on one time axis (its knots and a regular grid), district-major.
struct DriverRecording {
  std::vector<double> t_s;
  struct Field {
    std::string name, unit, description;
    bool uniform = false;
    std::vector<double> values;  // uniform: one per time; else t-major, one per district per time
  };
  std::vector<Field> fields;
};

class DriverSet {
 public:
  explicit DriverSet(const scenario::Scenario& scenario);

  // The field of that quantity, or nullptr when no driver produces it.
  const QuantityField* find(std::string_view quantity) const;
  const std::vector<QuantityField>& fields() const { return fields_; }
  // Per district (empty without drivers.flood or drivers.inundation_depth).
  const std::vector<DistrictFlood>& flood() const { return flood_; }
  // The power cuts the flood causes, one per wet interval per district (for the gateway timeline).
  const std::vector<scenario::PowerOutage>& flood_power_outages() const { return flood_outages_; }
  size_t district_count() const { return districts_; }
  // drivers.traffic (enabled false without it): how counters and parking sensors report on the traffic.
  const scenario::TrafficSpec& traffic() const { return traffic_; }

  // Every field over [0, end_s]: at every knot (a jump gives two rows at the same time, before and
  // after) and at least every grid_s.
  DriverRecording record(double end_s, double grid_s) const;

 private:
  size_t districts_ = 0;
  std::vector<QuantityField> fields_;
  std::vector<DistrictFlood> flood_;
  std::vector<scenario::PowerOutage> flood_outages_;
  scenario::TrafficSpec traffic_;
};

// The power cuts of a run: drivers.power_outages, then the flood's (DriverSet::flood_power_outages).
std::vector<scenario::PowerOutage> power_outages(const scenario::Scenario& scenario);

}  // namespace citytwin::sim::drivers
