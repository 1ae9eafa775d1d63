// One truth per gateway: when each gateway, NB-IoT cell or Wi-Fi access point (scenario.gateways, by
// index) is without power, when its backhaul route is down, and when the network server is down.
//
// Built once before the run from the scenario (drivers.power_outages, each gateway's backup and its
// route's links, scenario::route_link_names) and the run's failure schedule (failure_schedule.hpp).
// Every consumer asks it: the LoRa radio medium and the NB-IoT cells (a gateway without power hears
// nothing), the LoRaWAN server (a downlink needs a powered, reachable gateway), and the wired network
// (its per-copy timing, the SimGrid links it turns off and on, the CCTV streams).
//
// Intervals are half-open [t0_s, t1_s). A cause is an index: into drivers::power_outages(scenario) for
// a power cut (drivers.power_outages, then the flood's: one per district and wet spell; power cuts are not
// failures: they have no row in /kpi/failures), into the failure schedule for a backhaul or network-server
// failure (the index /messages/failure and /kpi/failures use).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::drivers {

// When something on a backup of backup_s in `district` is without power. The district's mains cuts
// (drivers::power_outages(scenario), whose indices are the causes) that overlap or touch make one stretch
// without mains, through which the backup drains once (two overlapping cuts gave it a full battery each):
// each cut of a stretch, from the backup's end on (none where the backup outlasts it), in order of start.
// The backup recharges between stretches (its charging time is not modelled).
struct BackupOutage {
  double t0_s = 0.0, t1_s = 0.0;
  int cause = -1;
};
std::vector<BackupOutage> backup_runs_out(const std::vector<scenario::PowerOutage>& outages,
                                          const std::string& district, double backup_s);

class GatewayTimeline {
 public:
  // A stretch of time something is down, and what caused it (see above).
  struct Outage {
    double t0_s = 0.0, t1_s = 0.0;
    int cause = -1;
  };

  // `schedule` is the run's failure_schedule (kept: failures() returns it).
  GatewayTimeline(const scenario::Scenario& scenario, std::vector<scenario::Failure> schedule);

  size_t gateway_count() const { return power_cuts_.size(); }
  const std::vector<scenario::Failure>& failures() const { return schedule_; }

  // Power: off from the end of the backup to the return of power, for each stretch of cuts in its district
  // (backup_runs_out).
  bool powered(uint32_t gateway, double t_s) const { return power_cut_at(gateway, t_s) < 0; }
  // Whether the gateway is off at some time in [t0_s, t1_s) (a frame on the air over that span). Asked for
  // every reception the radio medium settles: in a city without power cuts, an inline test of one flag.
  bool off_during(uint32_t gateway, double t0_s, double t1_s) const {
    return any_off_ && off_during_listed(gateway, t0_s, t1_s);
  }
  // The power cut (index into drivers.power_outages) that has the gateway off at t_s, or -1.
  int power_cut_at(uint32_t gateway, double t_s) const;
  // Merged, sorted: when the gateway is without power.
  const std::vector<scenario::TimeInterval>& off_intervals(uint32_t gateway) const;
  // Each stretch past the gateway's backup, in time order (see backup_runs_out).
  const std::vector<Outage>& power_cuts(uint32_t gateway) const;

  // Backhaul: a failure of a link on the gateway's route (power aside).
  bool backhaul_up(uint32_t gateway, double t_s) const { return backhaul_failure_at(gateway, t_s) < 0; }
  // The failure (index into the schedule) that has the route down at t_s (the first in schedule
  // order when several do), or -1.
  int backhaul_failure_at(uint32_t gateway, double t_s) const;
  // The failures of the gateway's route, in schedule order, unmerged (each holds copies on its own).
  const std::vector<Outage>& backhaul_failures(uint32_t gateway) const;

  // The network server (failures of target network_server).
  bool server_up(double t_s) const { return server_failure_at(t_s) < 0; }
  int server_failure_at(double t_s) const;
  const std::vector<Outage>& server_failures() const { return server_down_; }

  // Powered, its route up and the network server up.
  bool reachable(uint32_t gateway, double t_s) const {
    return powered(gateway, t_s) && backhaul_up(gateway, t_s) && server_up(t_s);
  }
  // Merged, sorted: when the gateway cannot reach the network server's host, power cuts and route
  // failures together (the network server's own failures aside: the host stays up).
  const std::vector<scenario::TimeInterval>& down_intervals(uint32_t gateway) const;

 private:
  bool off_during_listed(uint32_t gateway, double t0_s, double t1_s) const;
  std::vector<scenario::Failure> schedule_;
  std::vector<std::vector<Outage>> power_cuts_;            // per gateway
  std::vector<std::vector<scenario::TimeInterval>> off_;   // per gateway, merged
  bool any_off_ = false;                                   // whether any gateway's off_ holds an interval
  std::vector<std::vector<Outage>> route_down_;            // per gateway
  std::vector<std::vector<scenario::TimeInterval>> down_;  // per gateway, merged
  std::vector<Outage> server_down_;
};

// The union of intervals, sorted and merged (touching ones join; empty ones vanish).
std::vector<scenario::TimeInterval> merged(std::vector<scenario::TimeInterval> intervals);

}  // namespace citytwin::sim::drivers
