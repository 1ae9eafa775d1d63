#include "sim/engine/compromised_traffic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/core/rng.hpp"

namespace citytwin::sim::engine {
namespace {
constexpr uint64_t kAttackFrames = core::purpose_tag("attack-frames");
}  // namespace

CompromisedTraffic::CompromisedTraffic(const scenario::Scenario& scenario, const city::CityLayout& city,
                                       uint64_t seed, double end_s)
    : scenario_(scenario), city_(city), seed_(seed), end_s_(end_s) {
  const auto& attacks = scenario.attacks.compromised;
  frames_.assign(attacks.size(), 0);
  if (attacks.empty()) return;
  attack_of_.assign(city.device_count(), -1);
  const auto take = [&](uint64_t device, size_t attack) {
    if (device < attack_of_.size() && attack_of_[device] < 0) attack_of_[device] = static_cast<int>(attack);
  };
  for (size_t a = 0; a < attacks.size(); ++a) {
    const scenario::Compromised& c = attacks[a];
    if (c.population.empty()) {
      for (uint64_t id : c.devices) take(id, a);
      continue;
    }
    // The population's devices: ids are population-major in scenario order.
    std::vector<uint32_t> members;
    for (uint32_t d = 0; d < city.device_count(); ++d)
      if (scenario.devices[city.device_population[d]].name == c.population) members.push_back(d);
    const auto n = static_cast<size_t>(std::llround(c.share * static_cast<double>(members.size())));
    core::Stream rng(seed, "compromised", a);
    for (size_t i = 0; i < n; ++i) {  // partial Fisher-Yates
      const size_t j = i + rng.below(static_cast<uint32_t>(members.size() - i));
      std::swap(members[i], members[j]);
      take(members[i], a);
    }
  }
  for (uint32_t d = 0; d < attack_of_.size(); ++d)
    if (attack_of_[d] >= 0) devices_.push_back(d);
  next_s_.resize(devices_.size());
  counter_.assign(devices_.size(), 0);
  for (size_t i = 0; i < devices_.size(); ++i) {
    const uint32_t d = devices_[i];
    const scenario::Compromised& c = attacks[static_cast<size_t>(attack_of_[d])];
    const double extra_rate = (c.rate_factor - 1.0) / city.populations[city.device_population[d]].interval_s;
    core::Stream rng(core::stream_key(seed_, kAttackFrames, d), 0);
    next_s_[i] = extra_rate > 0.0 ? c.start_s + rng.exponential(1.0 / extra_rate)
                                  : std::numeric_limits<double>::infinity();
    counter_[i] = rng.counter();
  }
}

double CompromisedTraffic::end_of(size_t attack) const {
  const double end = scenario_.attacks.compromised[attack].end_s;
  return end < 0.0 ? end_s_ : std::min(end, end_s_);
}

void CompromisedTraffic::advance(double t_s, const Fleet& fleet, std::vector<Transmission>& out) {
  for (size_t i = 0; i < devices_.size(); ++i) {
    const uint32_t d = devices_[i];
    const auto attack = static_cast<size_t>(attack_of_[d]);
    const scenario::Compromised& c = scenario_.attacks.compromised[attack];
    const city::PopulationProfile& pop = city_.populations[city_.device_population[d]];
    const double mean_gap_s = pop.interval_s / (c.rate_factor - 1.0);
    const double end = end_of(attack);
    core::Stream rng(core::stream_key(seed_, kAttackFrames, d), counter_[i]);
    while (next_s_[i] < t_s && next_s_[i] < end) {
      const double t0 = next_s_[i];
      if (!fleet.dead(d)) {
        const uint8_t sf = fleet.spreading_factor(d);
        const uint32_t channel = pop.channels_hz[rng.below(static_cast<uint32_t>(pop.channels_hz.size()))];
        out.push_back({t0, t0 + pop.airtime_by_sf_s[sf - 7u], d, channel, fleet.tx_power_dbm(d), sf, 0, false,
                       true, scenario::Technology::LoRaWAN, true, fleet.logged_battery_mah(d),
                       std::numeric_limits<float>::quiet_NaN(), city_.device_population[d],
                       city_.device_district[d]});
        ++frames_[attack];
      }
      next_s_[i] = t0 + rng.exponential(mean_gap_s);
    }
    counter_[i] = rng.counter();
  }
}

}  // namespace citytwin::sim::engine
