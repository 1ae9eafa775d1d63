// Flood replay: the bathtub model. Each district d with a ground elevation e_d (drivers.flood.elevation,
// on the river gauge's datum) is under water when the river level, delayed by the time the water takes
// to reach it (drivers.flood.delay), is above its ground; rainfall beyond the drainage capacity ponds
// on top:
//
//   depth_d(t) = max(0, river_level(t - delay_d) - e_d) + ponding_d(t)
//   d ponding_d / dt = (rainfall_d(t) - drainage) / 3.6e6  [m/s, rainfall in mm/h], ponding_d >= 0
//
// The river part is exact (its knots and its crossings of e_d are points of the depth series, linear
// between them); the ponding is integrated with the trapezoidal rule every drivers.flood.step.
//
// Limits (a bathtub, not a hydraulic model): water is level across a district (no slope within it, no
// flow routing, no levees or pumps: a district below the river floods even if a levee protects it);
// the delay stands for the flow's travel time and is constant; ponding ignores infiltration and runoff
// between districts; the water leaves as the river falls, with no storage. Good for "which districts,
// from when, how deep, roughly"; for street-level depths, replay a hydraulic model's output as
// drivers.inundation_depth (a CSV per district) instead: given_flood gives it the same consequences.
#pragma once

#include <vector>

#include "sim/drivers/driver_set.hpp"

namespace citytwin::sim::drivers {

struct FloodResult {
  std::vector<QuantityField::Curve> depth;  // inundation_depth per district
  std::vector<DistrictFlood> districts;
};

// river or rainfall may be null (not driven).
FloodResult compute_flood(const scenario::Scenario& scenario, const QuantityField* river,
                          const QuantityField* rainfall);

// A depth given directly (drivers.inundation_depth, e.g. a hydraulic model's output) does what the
// bathtub's does: per district, the same consequences (flood_consequences) under drivers.flood's
// power_depth, restore and submerged_depth (their defaults without drivers.flood). Elevation and delay
// are NaN and 0: the depth says it all.
std::vector<DistrictFlood> given_flood(const scenario::Scenario& scenario, const QuantityField& depth);

// What a district's depth (a linear series, jumps as two points at one time) does over [0, end_s]:
// when it is first wet, when ground-mounted devices drown (deeper than spec.submerged_depth_m) and its
// power cuts (deeper than spec.power_depth_m, until spec.restore_s after; merged where they overlap).
DistrictFlood flood_consequences(const scenario::SeriesData& depth, const scenario::FloodSpec& spec,
                                 double end_s);

// The merged intervals, within [0, end_s], where a linear series is above threshold (an interval still
// open at end_s ends at end_s).
std::vector<scenario::TimeInterval> intervals_above(const scenario::SeriesData& series, double threshold,
                                                    double end_s);

}  // namespace citytwin::sim::drivers
