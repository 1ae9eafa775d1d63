#include "sim/city/device_links.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "models/radio/adr.hpp"
#include "models/radio/reception.hpp"
#include "sim/core/rng.hpp"

namespace citytwin::sim::city {
namespace {
// A link is kept down to this far below the sensitivity of the largest SF its device can send with:
// the radio medium adds the transmit power and the gain in float (rounding ~1e-5 dB at these values).
constexpr double kKeptLinkMarginDb = 0.01;
constexpr auto kLora = scenario::Technology::LoRaWAN;
constexpr auto kNbiot = scenario::Technology::NbIot;
}  // namespace

struct DeviceLinks::Device {
  const scenario::DevicePopulation& pop;
  const GatewayGrid* grid;  // of its technology; null: no radio links (Wi-Fi)
  double x_m, y_m;
  double floor_dbm;  // link_floor_dbm
  uint64_t shadow_key;
  double wall_loss_db;  // its building penetration
  double wall_z;        // the lift that asks, in sigmas
  double best_rssi_dbm = -std::numeric_limits<double>::infinity();
};

double DeviceLinks::link_floor_dbm(const scenario::DevicePopulation& pop) const {
  return pop.technology == kNbiot ? pop.radio.tx_power_dbm - kNbiotMaxCouplingLossDb
                                  : models::radio::gateway_sensitivity_dbm(
                                        12, pop.radio.phy.bandwidth_hz, sc_.channel.gateway_sensitivity_dbm);
}

// The largest SF a device of the population can ever send with: its fixed SF, or SF12 when it is chosen at
// join (the choice needs the links it could have at SF12) or changed by ADR.
bool DeviceLinks::fixed_sf(const scenario::DevicePopulation& pop) {
  return pop.technology == kLora && !pop.radio.sf_auto && !pop.radio.adr;
}

DeviceLinks::DeviceLinks(const scenario::Scenario& sc, uint64_t seed, const CityLayout& city)
    : sc_(sc),
      city_(city),
      seed_(seed),
      keep_k_(sc.channel.receptions == scenario::RadioChannel::Receptions::StrongestOnly
                  ? static_cast<uint32_t>(sc.channel.strongest_k)
                  : 0),
      sigma_db_(sc.channel.shadowing_sigma_db),
      field_(sc.channel.shadowing_sigma_db > 0.0 && sc.channel.shadowing_correlation_m > 0.0
                 ? std::optional<ShadowingField>(std::in_place, seed, sc.gateways,
                                                 sc.channel.shadowing_correlation_m)
                 : std::nullopt),
      lora_grid_(sc.gateways, kLora),
      nbiot_grid_(sc.gateways, kNbiot),
      rank_(sc.gateways.size()),
      antenna_dbi_(sc.gateways.size()) {
  max_antenna_dbi_.fill(-std::numeric_limits<double>::infinity());
  std::array<uint32_t, 3> seen{};
  for (size_t g = 0; g < sc.gateways.size(); ++g) {
    const auto t = static_cast<size_t>(sc.gateways[g].technology);
    antenna_dbi_[g] = sc.gateways[g].antenna_gain_dbi;
    rank_[g] = seen.at(t)++;
    max_antenna_dbi_.at(t) = std::max(max_antenna_dbi_.at(t), sc.gateways[g].antenna_gain_dbi);
  }
  // The farthest a device can be from a gateway: the diagonal of the box holding them all.
  double lo_x = std::numeric_limits<double>::infinity(), lo_y = lo_x, hi_x = -lo_x, hi_y = -lo_x;
  const auto widen = [&](double px, double py) {
    lo_x = std::min(lo_x, px), hi_x = std::max(hi_x, px), lo_y = std::min(lo_y, py),
    hi_y = std::max(hi_y, py);
  };
  for (size_t d = 0; d < city.device_count(); ++d) widen(city.device_x_m[d], city.device_y_m[d]);
  for (const scenario::Gateway& g : sc.gateways) widen(g.x_m, g.y_m);
  const double max_distance_m = hi_x >= lo_x ? std::hypot(hi_x - lo_x, hi_y - lo_y) : 0.0;
  // CITYTWIN_SCALAR_GAINS=1: every gain one at a time with libm (bench/link_gains_check.cpp counts what
  // the vector path changes).
  const char* scalar_gains = std::getenv("CITYTWIN_SCALAR_GAINS");
  vector_gains_ = scalar_gains == nullptr || std::string(scalar_gains) != "1";
  // The correlated field: its own largest lift, and no bounds on the draw's hashes (LinkCutoff).
  const double max_z = field_ ? ShadowingField::max_abs_z() : kMaxStandardNormal;
  for (const scenario::DevicePopulation& pop : sc.devices) {
    const bool linked = pop.technology == kLora || pop.technology == kNbiot;
    const double floor = fixed_sf(pop) ? models::radio::gateway_sensitivity_dbm(
                                             pop.radio.phy.spreading_factor, pop.radio.phy.bandwidth_hz,
                                             sc.channel.gateway_sensitivity_dbm) -
                                             kKeptLinkMarginDb
                                       : link_floor_dbm(pop);
    const double max_antenna = linked ? max_antenna_dbi_.at(static_cast<size_t>(pop.technology)) : 0.0;
    const double max_loss =
        linked ? pop.radio.tx_power_dbm + max_antenna - floor : -std::numeric_limits<double>::infinity();
    cutoffs_.emplace_back(sc.channel.path_loss, max_loss, sigma_db_, max_distance_m, max_z, !field_);
    const double max_loss_sf12 = linked ? pop.radio.tx_power_dbm + max_antenna - link_floor_dbm(pop)
                                        : -std::numeric_limits<double>::infinity();
    sf12_cutoffs_.emplace_back(sc.channel.path_loss, max_loss_sf12, sigma_db_, max_distance_m, max_z,
                               !field_);
  }
}

void DeviceLinks::judge(Device& device, Scratch& scratch) const {
  // (d2 as the grid computed it: its square root is the distance to within an ulp of std::hypot's, far
  // below the float a gain is kept as.)
  const LinkGains link_gains{&sc_.channel.path_loss, antenna_dbi_.data(),      rank_.data(),
                             device.shadow_key,      field_ ? 0.0 : sigma_db_, device.wall_loss_db};
  link_gains.compute(scratch.candidates, scratch.candidate_gain, vector_gains_);
  if (field_) add_field_shadowing(device, scratch);
  const double tx_dbm = device.pop.radio.tx_power_dbm;
  for (size_t i = 0; i < scratch.candidates.size(); ++i) {
    const double gain = scratch.candidate_gain[i];
    if (tx_dbm + gain < device.floor_dbm) continue;
    device.best_rssi_dbm = std::max(device.best_rssi_dbm, tx_dbm + gain);
    scratch.gains.push_back({scratch.candidates[i].first, gain});
  }
}

void DeviceLinks::add_field_shadowing(const Device& device, Scratch& scratch) const {
  constexpr size_t kNodes = 4 * models::radio::kShadowingLayers.size();  // a link's
  field_->max_lifts(scratch.candidates, device.x_m, device.y_m, lift_, scratch.field_max_lift, vector_gains_);
  // The links whose z is computed, and their independent draws' hashes.
  scratch.drawn.clear();
  scratch.drawn_links.clear();
  scratch.draw_u1.clear();
  scratch.draw_u2.clear();
  const double sqrt_nugget = std::sqrt(models::radio::kShadowingNuggetShare);
  const double tx_dbm = device.pop.radio.tx_power_dbm;
  for (size_t i = 0; i < scratch.candidates.size(); ++i) {
    const uint64_t n0 = 2u * static_cast<uint64_t>(rank_[scratch.candidates[i].first]);
    const uint64_t u1 = core::stream_value(device.shadow_key, n0 + 1),
                   u2 = core::stream_value(device.shadow_key, n0);
    // The lift the link needs to reach the device's floor (judge's test), in sigmas. Where the bound on
    // its hashes falls short of it (by more than the sums' rounding, ~1e-14), the link is dropped without
    // its z: judge would drop it. (The bound lies ~0.01 sigma above the lift itself on average, so nearly
    // every link judge drops is dropped here, before its 13 logarithms and cosines.)
    const double needed_z = (device.floor_dbm - tx_dbm - scratch.candidate_gain[i]) / sigma_db_;
    if (needed_z > 0.0 &&
        scratch.field_max_lift[i] + sqrt_nugget * lift_.max_lift(u1, u2) < needed_z - 1e-9) {
      scratch.candidate_gain[i] = -std::numeric_limits<double>::infinity();
      continue;
    }
    scratch.drawn.push_back(static_cast<uint32_t>(i));
    scratch.drawn_links.push_back(scratch.candidates[i]);
    scratch.draw_u1.push_back(u1);
    scratch.draw_u2.push_back(u2);
  }
  ShadowingField::Nodes& nodes = scratch.field_nodes;
  field_->hash_nodes(scratch.drawn_links, device.x_m, device.y_m, nodes, vector_gains_);
  scratch.independent_value.resize(scratch.drawn.size());
  scratch.node_value.resize(nodes.u1_bits.size());
  ShadowingField::standard_normals(scratch.draw_u1, scratch.draw_u2, scratch.independent_value.data(),
                                   vector_gains_);
  ShadowingField::standard_normals(nodes.u1_bits, nodes.u2_bits, scratch.node_value.data(), vector_gains_);
  for (size_t k = 0; k < scratch.drawn.size(); ++k)
    scratch.candidate_gain[scratch.drawn[k]] -=
        sigma_db_ * models::radio::correlated_standard_normal(nodes.corners[k],
                                                              scratch.node_value.data() + k * kNodes,
                                                              scratch.independent_value[k]);
}

namespace {
// Appends to candidates the gateways within radius_m (and beyond inner_m) whose draw can lift them
// tighter_db above what the cut-off needs. (With shadowing, a pair whose draw surely cannot lift it as far
// as it needs is skipped on the draw's hashes without the draw itself; see link_index.hpp.)
template <class Device>
void visit(const Device& device, const LinkCutoff& cutoff, const ShadowingLiftBound& lift, double sigma_db,
           double radius_m, double inner_m, double tighter_db,
           std::vector<std::pair<uint32_t, double>>& candidates) {
  if (device.grid == nullptr) return;
  const PairFilter filter{&cutoff, &lift, device.shadow_key,
                          device.wall_z + (sigma_db > 0.0 ? tighter_db / sigma_db : 0.0)};
  device.grid->candidates(device.x_m, device.y_m, radius_m, inner_m, filter, candidates);
}
}  // namespace

void DeviceLinks::gather(Device& device, const LinkCutoff& cutoff, Scratch& scratch) const {
  scratch.candidates.clear();
  scratch.gains.clear();
  visit(device, cutoff, lift_, sigma_db_, cutoff.radius_m(), -1.0, 0.0, scratch.candidates);
  std::sort(scratch.candidates.begin(), scratch.candidates.end(),
            [](const auto& l, const auto& r) { return l.first < r.first; });
  judge(device, scratch);
}

// A subset of gather's holding every link at least as strong as its K-th (the same K are chosen from it).
// The gateways near the device first, whose K-th strongest link is a threshold that the others must beat:
// the draws that cannot lift a gateway that far are skipped on their hashes (~25 judged a device in the
// realistic 1 M city instead of ~150), and the gateways beyond the radius at which even the largest draw
// falls short of it are not visited (with 7.8 dB of shadowing that radius still holds the whole city: the
// largest draw lifts a link by 67 dB).
void DeviceLinks::gather_strongest(Device& device, const LinkCutoff& cutoff, Scratch& scratch) const {
  auto& gains = scratch.gains;
  scratch.candidates.clear();
  gains.clear();
  const double inner =
      std::min(cutoff.radius_m(), device.grid != nullptr ? device.grid->radius_holding(3.0 * keep_k_) : 0.0);
  visit(device, cutoff, lift_, sigma_db_, inner, -1.0, 0.0, scratch.candidates);
  judge(device, scratch);
  if (gains.size() < keep_k_) return gather(device, cutoff, scratch);
  const auto kth = gains.begin() + (keep_k_ - 1);
  std::nth_element(gains.begin(), kth, gains.end(),
                   [](const auto& l, const auto& r) { return l.second > r.second; });
  // Less 0.001 dB: the selection compares the gains as floats (rounded by ~1e-5 dB at these values).
  const double threshold_db = kth->second - 0.001;
  const double tighter_db =
      std::max(0.0, cutoff.max_loss_db() -
                        (max_antenna_dbi_.at(static_cast<size_t>(device.pop.technology)) - threshold_db));
  scratch.candidates.clear();
  visit(device, cutoff, lift_, sigma_db_, cutoff.radius_m(tighter_db + device.wall_loss_db), inner,
        tighter_db, scratch.candidates);
  judge(device, scratch);
  std::sort(gains.begin(), gains.end(), [](const auto& l, const auto& r) { return l.first < r.first; });
}

uint8_t DeviceLinks::append(size_t d, Scratch& scratch) const {
  const size_t population = city_.device_population[d];
  const scenario::DevicePopulation& pop = sc_.devices[population];
  const bool nbiot = pop.technology == kNbiot;
  core::Stream wall_rng(seed_, "penetration", d);
  const double wall_db =
      pop.penetration.sigma_db > 0.0 || pop.penetration.mean_db > 0.0
          ? pop.penetration.mean_db + pop.penetration.sigma_db * standard_normal_draw(wall_rng)
          : 0.0;
  const double wall_loss_db = std::max(0.0, wall_db);
  // Wi-Fi cameras associate through sim/wifi_access.cpp (5 GHz link budget), not radio links.
  Device device{pop,
                pop.technology == kLora ? &lora_grid_
                : nbiot                 ? &nbiot_grid_
                                        : nullptr,
                city_.device_x_m[d],
                city_.device_y_m[d],
                link_floor_dbm(pop),
                core::Stream(seed_, "shadowing", d).key(),
                wall_loss_db,
                sigma_db_ > 0.0 ? wall_loss_db / sigma_db_ : 0.0};
  if (keep_k_ > 0)
    gather_strongest(device, cutoffs_[population], scratch);
  else
    gather(device, cutoffs_[population], scratch);
  const int sf = nbiot ? 0
                 : pop.radio.sf_auto
                     ? std::min(city_.populations[population].max_sf,
                                models::radio::spreading_factor_for_link(
                                    device.best_rssi_dbm, pop.radio.phy.bandwidth_hz,
                                    sc_.channel.gateway_sensitivity_dbm, pop.radio.join_margin_db))
                     : pop.radio.phy.spreading_factor;
  // Kept: the links a frame of the device can ever be heard on (its SF fixed for the run, or SF12).
  // (sf < 7: no SF fits the region's limits, which resolve() refuses; kept to the floor here.)
  const double keep_dbm = nbiot || pop.radio.adr || sf >= 12 || sf < 7
                              ? device.floor_dbm
                              : models::radio::gateway_sensitivity_dbm(sf, pop.radio.phy.bandwidth_hz,
                                                                       sc_.channel.gateway_sensitivity_dbm) -
                                    kKeptLinkMarginDb;
  uint32_t count = 0;
  for (const auto& [g, gain] : scratch.gains) {
    if (pop.radio.tx_power_dbm + gain < keep_dbm) continue;
    scratch.gateway.push_back(g);
    scratch.gain.push_back(static_cast<float>(gain));
    ++count;
  }
  // No link at the device's own SF: it keeps those it has down to the SF12 floor. Its frames are never
  // heard on them (the radio medium judges each reception at the frame's SF), and the coverage
  // (sim/plan/coverage_reach.cpp device_heard) does not count them: they are kept as they always were.
  if (count == 0 && !nbiot) {
    if (fixed_sf(pop)) gather(device, sf12_cutoffs_[population], scratch);  // a wider cut-off
    for (const auto& [g, gain] : scratch.gains) {
      scratch.gateway.push_back(g);
      scratch.gain.push_back(static_cast<float>(gain));
      ++count;
    }
  }
  // radio.receptions: strongest_only: its K strongest links alone, the only ones its frames use (they
  // are neither received nor interfere beyond them, sim/access/strongest_links.hpp), chosen as the
  // radio medium chose them from every link: the strongest is among them (NB-IoT's serving cell), and
  // a device with a link keeps one.
  if (keep_k_ > 0 && count > keep_k_) {
    const size_t at = scratch.gain.size() - count;
    strongest_positions({scratch.gain.data() + at, count}, keep_k_, scratch.chosen);
    for (size_t i = 0; i < scratch.chosen.size();
         ++i) {  // increasing positions, each >= i: compacted in place
      scratch.gateway[at + i] = scratch.gateway[at + scratch.chosen[i]];
      scratch.gain[at + i] = scratch.gain[at + scratch.chosen[i]];
    }
    scratch.gateway.resize(at + keep_k_);
    scratch.gain.resize(at + keep_k_);
    count = keep_k_;
  }
  scratch.count.push_back(count);
  return static_cast<uint8_t>(sf);
}

}  // namespace citytwin::sim::city
