// The attacks of a run (scenario `attacks`, docs/SCENARIO.md), assembled on its bus: what each attack
// changes over the run, handed to the component it acts on.
//   - jammers (access::JammingField): the LoRaWAN network's radio medium consults them;
//   - compromised devices (engine::CompromisedTraffic): their extra frames join the fleet's after every
//     window (produce), before the sequencer numbers them;
//   - the platform's rate-anomaly rule (platform::RateAnomalyDetector) counts the frames the network
//     server delivers (events::CopyDelivered) and, with attacks.detection.block, the server drops the
//     copies of flagged devices before deduplication (blocks: the wired network's filter, fail_reason
//     blocked);
//   - floods of bogus messages at the broker (platform::PlatformFlood, fed by platform::PlatformStages)
//     and at the network server (network::ServerFlood, in the wired network's server queue).
// The room `attacks` comes after access, network and platform (it wires their pieces together) and
// before record (record::AttackLog reads it for /kpi/attacks). The pieces themselves live in the rooms
// of the components they change, as the drivers' do. With no attacks every hook is empty.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include "sim/access/jamming.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/engine/compromised_traffic.hpp"
#include "sim/engine/fleet.hpp"
#include "sim/events/bus.hpp"
#include "sim/network/server_flood.hpp"
#include "sim/platform/platform_flood.hpp"
#include "sim/platform/rate_anomaly.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::attacks {

class AttackSet {
 public:
  // Draws the compromised devices and the floods' streams from `seed`; subscribes to `bus` (the rate
  // rule) when there are compromised devices. Every argument must outlive the set.
  AttackSet(const scenario::Scenario& scenario, const city::CityLayout& city, uint64_t seed,
            events::Bus& bus);
  AttackSet(const AttackSet&) = delete;
  AttackSet& operator=(const AttackSet&) = delete;

  bool active() const { return !scenario_.attacks.empty(); }

  // After the fleet's window: the compromised devices' attack frames starting before t_s.
  void produce(double t_s, const engine::Fleet& fleet, std::vector<engine::Transmission>& out);
  // The network server's filter: whether it drops a copy of frame seq arriving at t_s (its device is
  // blocked). Empty without attacks.detection.block.
  std::function<bool(uint64_t seq, double t_s)> server_filter();

  // For the components: null when there is no such attack.
  const access::JammingField* jamming() const { return jamming_.empty() ? nullptr : &jamming_; }
  platform::PlatformFlood* platform_flood() { return platform_flood_.empty() ? nullptr : &platform_flood_; }
  network::ServerFlood* server_flood() { return server_flood_.empty() ? nullptr : &server_flood_; }

  // For the recorder (record::AttackLog).
  const access::JammingField& jamming_field() const { return jamming_; }
  const engine::CompromisedTraffic& compromised() const { return compromised_; }
  const platform::RateAnomalyDetector* detector() const { return detector_ ? &*detector_ : nullptr; }
  const platform::PlatformFlood& broker_flood() const { return platform_flood_; }
  const network::ServerFlood& network_server_flood() const { return server_flood_; }

 private:
  struct InFlight {
    uint32_t device;
    uint32_t copies_left;
  };
  void release(uint64_t seq);

  const scenario::Scenario& scenario_;
  access::JammingField jamming_;
  engine::CompromisedTraffic compromised_;
  std::optional<platform::RateAnomalyDetector> detector_;
  platform::PlatformFlood platform_flood_;
  network::ServerFlood server_flood_;
  std::unordered_map<uint64_t, InFlight> in_flight_;  // frames with copies on the way (the rate rule)
};

}  // namespace citytwin::sim::attacks
