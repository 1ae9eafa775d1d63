// The attacks section as the scenario states it, in SI units. Part of Scenario (sim/scenario/scenario.hpp);
// every default lives here.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/source_mark.hpp"

namespace citytwin::sim::scenario {

// Attacks and abuse (the `attacks` section; sim/scenario/scenario_attacks.cpp reads it). Each has a name
// and a time window; the run reports honest delivery before, during and after it (/kpi/attacks).
//
// Jamming: a noise source at a place, on during [start, end), radiating `power` (EIRP in each jammed
// 125 kHz channel) isotropically; at a LoRa gateway its received power (radio.path_loss, the gateway's
// antenna gain) adds to the thermal noise floor, and a frame whose margin over the gateway's
// sensitivity is below that rise is lost there (fail_reason `jammed`).
struct Jamming {
  std::string name;
  double x_m = 0.0;
  double y_m = 0.0;
  double power_dbm = 14.0;
  double start_s = 0.0;
  double end_s = 0.0;
  std::vector<double> channels_hz;  // empty: every channel
  SourceMark mark;
  // Whether it jams the channel at channel_hz: one of its channels within 1 kHz, or every channel.
  bool jams(double channel_hz) const {
    for (const double hz : channels_hz)
      if (std::abs(hz - channel_hz) < 1e3) return true;
    return channels_hz.empty();
  }
};

// Compromised devices: from `start` (to `end`, or the end of the run), each transmits at rate_factor
// times its population's rate and ignores the duty cycle (sim/engine/compromised_traffic.hpp).
struct Compromised {
  std::string name;
  std::string population;
  double share = 0.0;             // of the population, chosen from the run's seed
  std::vector<uint64_t> devices;  // or explicit device ids (/devices id)
  double start_s = 0.0;
  double end_s = -1.0;  // < 0: until the end of the run
  double rate_factor = 10.0;
  SourceMark mark;
};

// The platform's rate-anomaly rule, run on every device when there are compromised ones
// (sim/platform/rate_anomaly.hpp): a device whose frames delivered in a window (tumbling windows of
// `window` from t = 0) exceed `factor` times what its population's interval gives (at least 1) is
// flagged; with `block`, the network server drops its frames from then on (fail_reason `blocked`).
struct AnomalyDetection {
  double window_s = 3600.0;
  double factor = 3.0;
  bool block = false;
};

// Denial of service on the platform: bogus messages reach the broker's ingest queue at `rate` per
// second (Poisson arrivals) during [start, end); they take their turn like honest messages, so honest
// ones queue and, once the queue is full (platform.broker_capacity), are dropped.
struct PlatformDos {
  std::string name;
  std::string target = "broker";  // or "network_server" (sim/network/server_flood.hpp)
  double rate_per_s = 1000.0;
  double start_s = 0.0;
  double end_s = 0.0;
  SourceMark mark;
};

struct Attacks {
  std::vector<Jamming> jamming;
  std::vector<Compromised> compromised;
  std::vector<PlatformDos> platform_dos;
  AnomalyDetection detection;
  bool empty() const { return jamming.empty() && compromised.empty() && platform_dos.empty(); }
};

}  // namespace citytwin::sim::scenario
