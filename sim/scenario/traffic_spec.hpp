// The traffic congestion replay as the scenario states it (drivers.traffic), in SI units: seconds,
// vehicles per hour (veh/h), km/h. The demand is drivers.traffic_volume (a daily profile with rush
// hours, points, or counts from a CSV) or SUMO's measured traffic; sim/drivers/traffic_model.hpp turns
// them into the run's traffic_volume and traffic_speed per district and documents the model. Every
// default lives here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/radio/technology.hpp"
#include "sim/scenario/source_mark.hpp"

namespace citytwin::sim::scenario {

// An incident (a crash, a broken-down lorry, works): from start_s for duration_s the road capacity of
// its district drops by capacity_lost (a fraction), and by capacity_lost x spread^k in the districts k
// neighbour hops away (k <= spread_hops), each ring delay_per_hop_s x k later (queue spill-back).
struct TrafficIncident {
  std::string district;
  double start_s = 0.0;
  double duration_s = 3600.0;
  double capacity_lost = 0.5;  // 0..1
  WrittenEntry written{};      // where it was written (sim/city/schedule_warnings.hpp)
};

struct TrafficSpec {
  bool enabled = false;  // drivers.traffic given
  // A district's main road section: its capacity (1800 veh/h is one urban lane's saturation flow,
  // HCM 2016 ch. 19: base 1900 pc/h/ln, less for heavy vehicles and turns) and free-flow speed.
  double capacity_vph = 1800.0;
  double free_flow_speed_kmh = 50.0;
  // BPR volume-delay function (US Bureau of Public Roads, Traffic Assignment Manual, 1964): travel
  // time = free-flow time x (1 + alpha (v/c)^beta); its standard coefficients.
  double bpr_alpha = 0.15;
  double bpr_beta = 4.0;
  std::vector<TrafficIncident> incidents;
  // Spill-back of an incident to its neighbours: the share of its capacity loss passed on per ring of
  // districts, and how long each ring takes to feel it. 0.5 and 10 min are assumptions, not fitted to a
  // traffic model: calibrate them against the city's own detector data (drivers from CSV) where it matters.
  double spread = 0.5;
  int spread_hops = 1;
  double delay_per_hop_s = 600.0;
  double step_s = 60.0;  // sampling of the computed volume and speed (jumps are kept exact)
  // How sensors report on it (sim/drivers/traffic_reporters.hpp): devices sensing traffic_volume
  // report every vehicles_per_report vehicles (and after counter_heartbeat_s without one), with the
  // district's speed (km/h) as their reading; devices sensing parking_occupancy each watch one bay and
  // report each change of it (and after parking_heartbeat_s), with 1 (occupied) or 0.
  int vehicles_per_report = 50;
  double counter_heartbeat_s = 3600.0;
  double parking_duration_s = 3600.0;  // mean time a car stays in a bay
  double parking_heartbeat_s = 3600.0;
  // CCTV event streams: cameras (a Wi-Fi stream population) in a district send an event clip of
  // cctv_clip_s at their stream's bitrate plus cctv_metadata_bytes per event; events come as a Poisson
  // process of rate cctv_events_per_h x (1 + cctv_congestion_gain x congestion), congestion =
  // 1 - speed / free-flow speed (0 in free flow, -> 1 at a standstill).
  double cctv_events_per_h = 0.0;  // 0: no event streams
  double cctv_congestion_gain = 10.0;
  double cctv_clip_s = 10.0;
  double cctv_metadata_bytes = 2048.0;
  // Measured traffic from SUMO (sim/drivers/sumo_output.hpp): the network, and its edgeData output
  // and/or induction-loop output with the additional file declaring the loops (edges win where both
  // cover a district), resolved at load. SUMO coordinates + offset = city coordinates. Districts the
  // SUMO data covers take its series; the others keep drivers.traffic_volume.
  std::string sumo_network;
  std::string sumo_edge_data;
  std::string sumo_loops;
  std::string sumo_loop_detectors;
  double sumo_offset_x_m = 0.0;
  double sumo_offset_y_m = 0.0;
};

// What a population does under drivers.traffic (sim/engine/fleet.cpp; the run estimate,
// sim/app/run_budget.cpp): devices sensing traffic_volume are counters and those sensing parking_occupancy
// parking bays, when drivers.traffic is given and a driver produces what they sense (`senses_driven`);
// Wi-Fi populations stream instead. Counters and bays report on the traffic and never sample.
enum class TrafficRole : uint8_t { None, Counter, Parking };
inline TrafficRole traffic_role(const TrafficSpec& traffic, models::radio::Technology technology,
                                std::string_view senses, bool senses_driven) {
  if (!traffic.enabled || technology == models::radio::Technology::WiFi || !senses_driven)
    return TrafficRole::None;
  if (senses == "traffic_volume") return TrafficRole::Counter;
  if (senses == "parking_occupancy") return TrafficRole::Parking;
  return TrafficRole::None;
}

}  // namespace citytwin::sim::scenario
