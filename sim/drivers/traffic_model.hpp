// Traffic congestion replay (drivers.traffic): traffic_volume (veh/h) and traffic_speed (km/h) per
// district, from the demand (drivers.traffic_volume: a daily profile with rush hours, points, counts
// from a CSV) or SUMO's measured series (sumo_output.hpp), which replace it in the districts they
// cover. DriverSet builds them as its traffic_volume and traffic_speed fields.
//
// The model, per district d at run time t:
// - demand q_d(t): drivers.traffic_volume in the district (or SUMO's measured flow);
// - capacity c_d(t) = capacity x prod over active incidents (1 - loss_i,d), where an incident loses
//   capacity_lost in its own district and capacity_lost x spread^k in districts k neighbour hops away
//   (k <= spread_hops), starting k x delay_per_hop later and ending with the incident: a crude
//   stand-in for queue spill-back. Neighbours are districts whose rectangles share a stretch of
//   border (touching at a corner only does not count);
// - speed v = free_flow / (1 + alpha (q/c)^beta): the BPR volume-delay function (US Bureau of Public
//   Roads, Traffic Assignment Manual, 1964; alpha 0.15, beta 4), speed being inverse to travel time
//   over a fixed length. BPR takes demand over capacity (q/c above 1 allowed), as in static
//   assignment; with the defaults q/c = 1 gives 87 % of free flow, q/c = 2 gives 29 %. Where SUMO
//   measured a speed, that speed;
// - traffic_volume, what counters see, = min(q, c): a bottleneck passes no more than its capacity
//   (SUMO's measured flow as it is).
// Both are sampled every drivers.traffic.step (linear between samples) with the incidents' jumps
// exact. Limits: no routing (demand does not divert around an incident), no queue dynamics
// (congestion starts and ends with the incident, not with a queue's build-up and discharge), one road
// section per district. Good enough to drive sensor rates and alerts; not a traffic simulator (replay
// SUMO's outputs for that).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "sim/drivers/driver_set.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::drivers {

// Districts whose rectangles share a stretch of border longer than tolerance_m, per district (sorted).
std::vector<std::vector<size_t>> district_neighbours(const scenario::City& city, double tolerance_m = 1e-6);
// Hop distance from `from` to every district over the neighbour graph (-1: unreachable).
std::vector<int> hops_from(const std::vector<std::vector<size_t>>& neighbours, size_t from);

// BPR speed: free_flow / (1 + alpha (v/c)^beta); 0 when capacity is 0 and volume positive.
double bpr_speed_kmh(double free_flow_kmh, double volume_vph, double capacity_vph, double alpha, double beta);

// A measured series (time from the start s, value), piecewise linear (scenario::Series).
struct MeasuredTraffic {
  scenario::Series volume_vph;  // empty: the demand of drivers.traffic_volume
  scenario::Series speed_kmh;   // empty: BPR from the volume and the capacity
};

class TrafficModel {
 public:
  // demand: drivers.traffic_volume (may be null: no demand outside SUMO's districts).
  TrafficModel(const scenario::City& city, const scenario::TrafficSpec& spec, const QuantityField* demand);

  size_t district_count() const { return district_count_; }
  // Replaces the demand in one district by measured series.
  void set_measured(size_t district, MeasuredTraffic measured);

  double demand_vph(size_t district, double t_s) const;
  double capacity_vph(size_t district, double t_s) const;
  double volume_vph(size_t district, double t_s) const;
  double speed_kmh(size_t district, double t_s) const;
  // Times in (0, end_s) where the capacity of the district jumps (incidents reaching it, ending).
  std::vector<double> jumps(size_t district, double end_s) const;

  const std::vector<std::vector<size_t>>& neighbours() const { return neighbours_; }

 private:
  scenario::TrafficSpec spec_;
  size_t district_count_ = 0;
  const QuantityField* demand_ = nullptr;
  std::vector<std::vector<size_t>> neighbours_;
  struct Reach {  // an incident's capacity loss in a district, over [t0_s, t1_s)
    double loss = 0.0;
    double t0_s = 0.0;
    double t1_s = 0.0;
  };
  std::vector<std::vector<Reach>> reach_;  // [district][incident]
  std::vector<MeasuredTraffic> measured_;
};

struct TrafficResult {
  std::vector<QuantityField::Curve> volume;  // traffic_volume per district
  std::vector<QuantityField::Curve> speed;   // traffic_speed per district
};

// The run's traffic (drivers.traffic): SUMO's outputs read and mapped (throws SumoError, file:line),
// then every district sampled over [0, run.duration]. demand may be null.
TrafficResult compute_traffic(const scenario::Scenario& scenario, const QuantityField* demand);

// What a device sensing `senses` reports as its reading: under drivers.traffic, a counter (sensing
// traffic_volume) reports the district's traffic_speed (km/h), what congestion alerts watch.
std::string_view reported_quantity(const scenario::Scenario& scenario, std::string_view senses);

}  // namespace citytwin::sim::drivers
