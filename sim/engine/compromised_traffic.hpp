// Compromised devices (scenario attacks.compromised): from the attack's start to its end, each chosen
// device transmits at rate_factor times its population's rate, ignoring the duty cycle. The device's
// own firmware keeps its honest schedule (sim/engine/fleet.hpp); this adds the extra (rate_factor - 1)
// times its rate as a Poisson stream of unconfirmed frames from the device's own attack stream
// (seed, "attack-frames", device), on a channel drawn uniformly from its population's, at the SF and
// power the device uses then. Their frames go on the air like any other and collide with honest
// traffic. The battery is not charged for them (an attacker with a mains supply, or one that does not
// care how long the device lives).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/city/city_layout.hpp"
#include "sim/engine/fleet.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::engine {

class CompromisedTraffic {
 public:
  // Chooses the devices: round(share * count) of the population, without replacement, from the stream
  // (seed, "compromised", attack index); or the listed ids. A device in two sets belongs to the first.
  CompromisedTraffic(const scenario::Scenario& scenario, const city::CityLayout& city, uint64_t seed,
                     double end_s);

  // Appends the attack frames that start before t_s (and at or after the previous call's t_s).
  // Between windows: reads the device's SF, power and battery from the fleet.
  void advance(double t_s, const Fleet& fleet, std::vector<Transmission>& out);

  // The attack (index into scenario.attacks.compromised) a device belongs to, or -1 (honest).
  int attack_of(uint32_t device) const { return attack_of_.empty() ? -1 : attack_of_[device]; }
  // The compromised devices, increasing.
  const std::vector<uint32_t>& devices() const { return devices_; }
  // Attack frames sent, per attack.
  const std::vector<uint64_t>& frames() const { return frames_; }
  // When an attack's window ends (its end, or the end of the run).
  double end_of(size_t attack) const;

 private:
  const scenario::Scenario& scenario_;
  const city::CityLayout& city_;
  uint64_t seed_;
  double end_s_;
  std::vector<int> attack_of_;     // per device
  std::vector<uint32_t> devices_;  // compromised, increasing
  std::vector<double> next_s_;     // per compromised device: its next attack frame
  std::vector<uint64_t> counter_;  // per compromised device: its stream's counter
  std::vector<uint64_t> frames_;   // per attack
};

}  // namespace citytwin::sim::engine
