// One device's radio links, as the city's set-up computes them (sim/city/build_city_layout.hpp):
// the gateways that can hear it at full power, the gain of each link, and the spreading factor the device
// joins with. A link's gain is static: log-distance loss, log-normal shadowing (the named stream
// "shadowing" per device, one draw per gateway of the device's technology, found by the gateway's rank
// among them, as the streams are counter-based) and building penetration ("penetration" per device).
// Only the gateways a spatial index and a distance cut-off leave are tested (sim/city/link_index.hpp).
// With radio.shadowing.correlation_distance the shadowing is the gateway's correlated field at the device
// (sim/city/shadowing_field.hpp), that draw its nugget; the cut-off then allows the field's largest lift
// and the pairs are not skipped on the draw's hashes (the field is not one draw) but on a bound from the
// field's nodes' hashes (ShadowingField::max_lifts), before their logarithms and cosines. The mode is
// chosen once, at construction.
// Devices are independent: any thread may compute any device, into its own Scratch.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "sim/city/city_layout.hpp"
#include "sim/city/link_index.hpp"
#include "sim/city/shadowing_field.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::city {

class DeviceLinks {
 public:
  // Where one thread appends its devices' links, kept from device to device (and block to block) so that
  // its vectors' pages are faulted in once.
  struct Scratch {
    std::vector<uint32_t> gateway;  // the links, device after device
    std::vector<float> gain;
    std::vector<uint32_t> count;  // per device: its links
    void clear() {
      gateway.clear();
      gain.clear();
      count.clear();
    }

   private:
    friend class DeviceLinks;
    std::vector<std::pair<uint32_t, double>> candidates;  // gateway, squared distance (m^2)
    std::vector<double> candidate_gain;                   // their gains (dB)
    std::vector<std::pair<uint32_t, double>> gains;       // gateway, gain (dB): those heard
    std::vector<uint32_t> chosen;
    // The correlated field's (add_field_shadowing): the bounds on the candidates' lifts; the candidates
    // whose z is computed, their independent draws' hashes and values, their nodes and the nodes' values.
    std::vector<double> field_max_lift;
    std::vector<uint32_t> drawn;
    std::vector<std::pair<uint32_t, double>> drawn_links;
    std::vector<uint64_t> draw_u1, draw_u2;
    std::vector<double> independent_value;
    ShadowingField::Nodes field_nodes;
    std::vector<double> node_value;
  };

  // `city` holds the placed devices (population, position) and the populations' profiles; the scenario
  // and the city must outlive this.
  DeviceLinks(const scenario::Scenario& sc, uint64_t seed, const CityLayout& city);

  // Appends device d's links to scratch (gateways in increasing order, and their count) and returns the
  // spreading factor it joins with (0 for an NB-IoT device).
  uint8_t append(size_t d, Scratch& scratch) const;
  // radio.receptions: strongest_only: the K strongest links a device keeps; 0: every link.
  uint32_t strongest_k() const { return keep_k_; }

 private:
  // One device being linked: what its links depend on, and the strongest power found so far.
  struct Device;
  // Appends to scratch.gains the candidates heard at full power down to the device's floor.
  void judge(Device& device, Scratch& scratch) const;
  // The correlated field's shadowing, taken off the candidates' gains computed without shadowing.
  void add_field_shadowing(const Device& device, Scratch& scratch) const;
  // Every link within the cut-off, in gateway order.
  void gather(Device& device, const LinkCutoff& cutoff, Scratch& scratch) const;
  // radio.receptions: strongest_only: the links that can be among the K strongest, in gateway order.
  void gather_strongest(Device& device, const LinkCutoff& cutoff, Scratch& scratch) const;
  // The link floor of a population: the SF12 sensitivity (LoRa), or the maximum coupling loss (NB-IoT).
  double link_floor_dbm(const scenario::DevicePopulation& pop) const;
  // Whether the population sends with one SF for the whole run (neither chosen at join nor by ADR).
  static bool fixed_sf(const scenario::DevicePopulation& pop);

  const scenario::Scenario& sc_;
  const CityLayout& city_;
  uint64_t seed_;
  uint32_t keep_k_;  // radio.receptions: strongest_only: the K kept; 0: every link
  double sigma_db_;  // the shadowing's
  // radio.shadowing.correlation_distance (with sigma > 0): the gateways' correlated fields; else none.
  std::optional<ShadowingField> field_;
  GatewayGrid lora_grid_, nbiot_grid_;
  std::vector<uint32_t> rank_;  // per gateway: among the gateways of its technology
  std::vector<double> antenna_dbi_;
  std::array<double, 3> max_antenna_dbi_;  // per technology
  ShadowingLiftBound lift_;
  bool vector_gains_;  // CITYTWIN_SCALAR_GAINS=1: every gain one at a time with libm
  // Per population: the cut-off without building loss (W >= 0 only shortens it), and down to the SF12
  // floor (link_floor_dbm).
  std::vector<LinkCutoff> cutoffs_, sf12_cutoffs_;
};

}  // namespace citytwin::sim::city
