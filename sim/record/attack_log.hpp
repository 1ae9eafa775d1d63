// What the attacks did (scenario `attacks`; sim/attacks/attack_set.hpp), from the run's events: per
// attack, the honest traffic before, during and after its window (sent, accepted by the broker, delay to
// the network server), what was lost to it, its time to detect, and the latency of other alerts meanwhile:
// the /kpi/attacks table (one row per attack), /kpi/flagged_devices, and the /kpi attributes lost_jammed,
// lost_blocked, lost_server_overload, honest_uplinks_sent, honest_uplinks_delivered, attack_frames,
// bogus_messages, devices_compromised, devices_flagged (output/SCHEMA.md). Only with attacks.
//
// "Honest" traffic is that of the devices no attack compromises; a frame is delivered when the broker
// accepted its message (events::MessageBrokered), or, a retransmission of a confirmed report the network
// server had passed on already, when the server delivered it (events::CopyDelivered::retransmission). Before,
// during and after are by the frame's transmission time against the attack's window.
#pragma once

#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "output/records.hpp"
#include "sim/attacks/attack_set.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/events/bus.hpp"

namespace citytwin::sim::record {

class AttackLog {
 public:
  // Subscribes to `bus` when the scenario has attacks; every argument must outlive the log.
  AttackLog(const scenario::Scenario& scenario, const city::CityLayout& city,
            const attacks::AttackSet& attacks, events::Bus& bus);
  AttackLog(const AttackLog&) = delete;
  AttackLog& operator=(const AttackLog&) = delete;

  bool active() const { return attacks_.active(); }
  // fail_reasons: the message log's count per reason.
  void add_kpis(output::KpiList& kpis, const std::array<uint64_t, output::kFailReasons>& fail_reasons) const;
  // /kpi/attacks; alerts: every alert the platform raised (record::AlertLog).
  output::KpiTable table(const std::vector<events::AlertRaised>& alerts) const;
  // /kpi/flagged_devices: every compromised or flagged device.
  output::KpiTable flagged_devices() const;

  // The kinds of attack in /kpi/attacks (its `kind` column).
  enum Kind : uint8_t { Jamming = 0, Compromised = 1, BrokerFlood = 2, ServerFlood = 3 };

 private:
  enum Phase : uint8_t { Before, During, After };
  struct Window {
    double start_s, end_s;
    Kind kind;
    size_t index;  // in its scenario list
    Phase phase(double t_s) const { return t_s < start_s ? Before : t_s < end_s ? During : After; }
  };
  struct Counts {
    std::array<uint64_t, 3> sent{}, delivered{}, collisions{}, jammed{}, broker_dropped{}, overloaded{};
    std::array<double, 3> latency_sum_s{};  // of frames the network server delivered (first copies)
    std::array<uint64_t, 3> latency_n{};
  };
  struct InFlight {
    double t_tx_s, t_end_s;
    uint32_t copies_left;
    bool delivered, overloaded;
  };
  void on_resolved(const events::FrameResolved& f);
  void on_copy_done(uint64_t seq, bool delivered, double t_s, bool overloaded);
  void on_brokered(const events::MessageBrokered& m);

  const scenario::Scenario& scenario_;
  const city::CityLayout& city_;
  const attacks::AttackSet& attacks_;
  std::vector<Window> windows_;  // per attack: jamming, compromised, then platform_dos, in scenario order
  std::vector<Counts> counts_;
  std::unordered_map<uint64_t, InFlight> in_flight_;  // honest frames between radio and broker
  uint64_t honest_sent_ = 0, honest_delivered_ = 0;
};

}  // namespace citytwin::sim::record
