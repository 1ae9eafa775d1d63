#include "sim/city/city_layout.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <mutex>
#include <numbers>
#include <string>

#include "models/radio/adr.hpp"
#include "models/radio/duty_cycle.hpp"
#include "models/radio/lora_phy.hpp"
#include "models/radio/reception.hpp"
#include "models/radio/shadowing.hpp"
#include "sim/city/link_index.hpp"
#include "sim/city/resolve.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/run_error.hpp"
#include "sim/core/stop.hpp"

namespace citytwin::sim::city {
namespace {

// A link is kept down to this far below the sensitivity of the largest SF its device can send with:
// the radio medium adds the transmit power and the gain in float (rounding ~1e-5 dB at these values).
constexpr double kKeptLinkMarginDb = 0.01;

PopulationProfile make_profile(const scenario::Scenario& sc, size_t index) {
  const scenario::DevicePopulation& pop = sc.devices[index];
  PopulationProfile p;
  p.airtime_by_sf_s = airtime_by_sf_s(pop);
  p.bandwidth_hz = pop.radio.phy.bandwidth_hz;
  p.tx_power_dbm = pop.radio.tx_power_dbm;
  // The region's limits on the frame (sim/city/resolve.cpp refuses a scenario none fits).
  if (pop.technology == scenario::Technology::LoRaWAN) {
    p.max_sf = 0;
    for (int sf = 7; sf <= 12; ++sf)
      if (sf_allowed(sc, pop, p.airtime_by_sf_s, sf)) p.max_sf = sf;
  }
  for (double f : pop.radio.channels_hz) {
    p.channels_hz.push_back(static_cast<uint32_t>(std::llround(f)));
    p.channels_hz_f.push_back(f);
  }
  p.confirmed = pop.confirmation.confirmed;
  p.max_transmissions = pop.confirmation.confirmed ? pop.confirmation.max_transmissions : 1;
  p.duty_cycle = pop.radio.duty_cycle;
  p.adr = pop.radio.adr;
  p.technology = pop.technology;
  p.payload_bytes = pop.payload_bytes;
  p.mains_powered = pop.mains_powered;
  p.self_discharge_per_year = pop.battery.self_discharge_per_year;
  p.battery = pop.battery;
  p.solar = pop.solar;
  p.senses = pop.senses;
  p.ground_mounted = pop.mounting == scenario::DevicePopulation::Mounting::Ground;
  if (sc.drives(pop.senses)) {
    p.event = pop.event;
    p.sample_interval_s = pop.sample_interval_s;
  }
  if (pop.technology == scenario::Technology::NbIot) p.duty_cycle = false;  // licensed spectrum
  p.traffic = pop.traffic;
  p.interval_s = pop.interval_s;
  p.jitter = pop.jitter;
  p.battery_mah = pop.battery.capacity_mah;
  p.machine = models::device::DutyCycleMachine(pop.firmware);
  return p;
}

void place_population(const scenario::Scenario& sc, size_t pop_index, uint64_t seed, CityLayout& city) {
  const scenario::DevicePopulation& pop = sc.devices[pop_index];
  core::Stream rng(seed, "placement", pop_index);
  std::vector<size_t> districts;
  std::vector<double> cumulative_area;
  const double attempts = disc_attempts(disc_coverage(sc.city, pop.placement));
  for (const std::string& name : pop.placement.districts) {
    for (size_t i = 0; i < sc.city.districts.size(); ++i) {
      if (sc.city.districts[i].name != name) continue;
      districts.push_back(i);
      cumulative_area.push_back((cumulative_area.empty() ? 0.0 : cumulative_area.back()) +
                                sc.city.districts[i].area_m2());
    }
  }
  for (int64_t j = 0; j < pop.count; ++j) {
    if (j % 65536 == 0 && core::stop_requested()) throw core::Stopped("stopped while placing the devices");
    double x = 0.0, y = 0.0;
    int district = -1;
    if (!districts.empty()) {
      const double a = rng.uniform() * cumulative_area.back();
      size_t k = 0;
      while (k + 1 < districts.size() && a >= cumulative_area[k]) ++k;
      const scenario::District& d = sc.city.districts[districts[k]];
      // A polygon district: uniform in its bounding box, rejecting points outside the polygons (the
      // draws stay on the population's stream, so the same seed places the same devices).
      for (int attempt = 0;; ++attempt) {
        x = rng.uniform(d.x_min_m, d.x_max_m);
        y = rng.uniform(d.y_min_m, d.y_max_m);
        if (!d.shape || d.shape->covers(x, y)) break;
        if (attempt == kMaxPolygonAttempts)
          throw core::RunError("devices[" + std::to_string(pop_index) + "]: district '" + d.name +
                               "' fills too little of its bounding box to place devices in it");
      }
      district = static_cast<int>(districts[k]);
    } else {
      // Uniform in the disc, rejecting points outside every district (resolve() refuses a disc too
      // little of which is in a district for this to give up).
      for (double attempt = 0; attempt < attempts && district < 0; ++attempt) {
        const double r = pop.placement.disc_radius_m * std::sqrt(rng.uniform());
        const double theta = 2.0 * std::numbers::pi * rng.uniform();
        x = pop.placement.disc_x_m + r * std::cos(theta);
        y = pop.placement.disc_y_m + r * std::sin(theta);
        district = scenario::district_of(sc.city, x, y);
      }
      if (district < 0)
        throw core::RunError(pop.placement.mark.file + ":" + std::to_string(pop.placement.mark.line) + ":" +
                             std::to_string(pop.placement.mark.column) + ": devices[" +
                             std::to_string(pop_index) +
                             "].disc: the disc lies (almost) entirely outside the districts");
    }
    city.device_population.push_back(static_cast<uint16_t>(pop_index));
    city.device_district.push_back(static_cast<uint16_t>(district));
    city.device_x_m.push_back(x);
    city.device_y_m.push_back(y);
  }
}

}  // namespace

CityLayout build_city_layout(const scenario::Scenario& sc, uint64_t seed, core::ThreadPool& pool,
                             const LinkProgress& progress) {
  CityLayout city;
  const size_t total = scenario::total_devices(sc);
  city.device_population.reserve(total);
  city.device_district.reserve(total);
  city.device_x_m.reserve(total);
  city.device_y_m.reserve(total);
  city.region = sc.channel.region;
  for (size_t p = 0; p < sc.devices.size(); ++p) {
    city.populations.push_back(make_profile(sc, p));
    place_population(sc, p, seed, city);
  }
  for (const scenario::Gateway& g : sc.gateways) {
    city.gateway_district.push_back(scenario::district_of(sc.city, g.x_m, g.y_m));
    city.gateway_technology.push_back(g.technology);
  }

  // Links: every gateway the device could reach at full power with SF12. Static per link: log-distance
  // loss, log-normal shadowing (named stream "shadowing" per device, one draw per gateway of the
  // device's technology, in gateway order) and building penetration ("penetration" per device).
  // Computed in blocks of devices in parallel, concatenated in device order. Only the gateways a
  // spatial index and a distance cut-off leave are tested (sim/city/link_index.hpp); the draw of a
  // gateway is found by its rank among its technology's gateways, as the streams are counter-based.
  const size_t n = city.device_count();
  const size_t block = 4096;
  const uint32_t keep_k = sc.channel.receptions == scenario::RadioChannel::Receptions::StrongestOnly
                              ? static_cast<uint32_t>(sc.channel.strongest_k)
                              : 0;
  city.links_strongest_k = keep_k;
  const size_t blocks = (n + block - 1) / block;
  city.device_sf.resize(n);
  const auto lora = scenario::Technology::LoRaWAN, nbiot_tech = scenario::Technology::NbIot;
  const GatewayGrid lora_grid(sc.gateways, lora), nbiot_grid(sc.gateways, nbiot_tech);
  std::vector<uint32_t> rank(sc.gateways.size());  // among the gateways of its technology
  std::vector<double> antenna_dbi(sc.gateways.size());
  for (size_t g = 0; g < sc.gateways.size(); ++g) antenna_dbi[g] = sc.gateways[g].antenna_gain_dbi;
  std::array<double, 3> max_antenna_dbi;
  max_antenna_dbi.fill(-std::numeric_limits<double>::infinity());
  {
    std::array<uint32_t, 3> seen{};
    for (size_t g = 0; g < sc.gateways.size(); ++g) {
      const auto t = static_cast<size_t>(sc.gateways[g].technology);
      rank[g] = seen.at(t)++;
      max_antenna_dbi.at(t) = std::max(max_antenna_dbi.at(t), sc.gateways[g].antenna_gain_dbi);
    }
  }
  const double sigma = sc.channel.shadowing_sigma_db;
  const auto link_floor_dbm = [&](const scenario::DevicePopulation& pop) {
    return pop.technology == nbiot_tech
               ? pop.radio.tx_power_dbm - kNbiotMaxCouplingLossDb
               : models::radio::gateway_sensitivity_dbm(12, pop.radio.phy.bandwidth_hz,
                                                        sc.channel.gateway_sensitivity_dbm);
  };
  // The largest SF a device of the population can ever send with: its fixed SF, or SF12 when it is
  // chosen at join (the choice needs the links it could have at SF12) or changed by ADR.
  const auto fixed_sf = [&](const scenario::DevicePopulation& pop) {
    return pop.technology == lora && !pop.radio.sf_auto && !pop.radio.adr;
  };
  // The farthest a device can be from a gateway: the diagonal of the box holding them all.
  double lo_x = std::numeric_limits<double>::infinity(), lo_y = lo_x, hi_x = -lo_x, hi_y = -lo_x;
  const auto widen = [&](double px, double py) {
    lo_x = std::min(lo_x, px), hi_x = std::max(hi_x, px), lo_y = std::min(lo_y, py),
    hi_y = std::max(hi_y, py);
  };
  for (size_t d = 0; d < city.device_count(); ++d) widen(city.device_x_m[d], city.device_y_m[d]);
  for (const scenario::Gateway& g : sc.gateways) widen(g.x_m, g.y_m);
  const double max_distance_m = hi_x >= lo_x ? std::hypot(hi_x - lo_x, hi_y - lo_y) : 0.0;
  const ShadowingLiftBound lift;
  // CITYTWIN_SCALAR_GAINS=1: every gain one at a time with libm (bench/link_gains_check.cpp counts what
  // the vector path changes).
  const char* scalar_gains = std::getenv("CITYTWIN_SCALAR_GAINS");
  const bool vector_gains = scalar_gains == nullptr || std::string(scalar_gains) != "1";
  // Per population: the cut-off without building loss (W >= 0 only shortens it).
  std::vector<LinkCutoff> cutoffs, sf12_cutoffs;  // the latter: down to the SF12 floor (link_floor_dbm)
  for (const scenario::DevicePopulation& pop : sc.devices) {
    const bool linked = pop.technology == lora || pop.technology == nbiot_tech;
    const double floor = fixed_sf(pop) ? models::radio::gateway_sensitivity_dbm(
                                             pop.radio.phy.spreading_factor, pop.radio.phy.bandwidth_hz,
                                             sc.channel.gateway_sensitivity_dbm) -
                                             kKeptLinkMarginDb
                                       : link_floor_dbm(pop);
    const double max_loss =
        linked ? pop.radio.tx_power_dbm + max_antenna_dbi.at(static_cast<size_t>(pop.technology)) - floor
               : -std::numeric_limits<double>::infinity();
    cutoffs.emplace_back(sc.channel.path_loss, max_loss, sigma, max_distance_m);
    const double max_loss_sf12 = linked ? pop.radio.tx_power_dbm +
                                              max_antenna_dbi.at(static_cast<size_t>(pop.technology)) -
                                              link_floor_dbm(pop)
                                        : -std::numeric_limits<double>::infinity();
    sf12_cutoffs.emplace_back(sc.channel.path_loss, max_loss_sf12, sigma, max_distance_m);
  }
  // A device's links are appended to a scratch (its counts too); the scratches' vectors are kept from
  // block to block, so that their pages are faulted in once.
  struct Scratch {
    std::vector<uint32_t> gateway;
    std::vector<float> gain;
    std::vector<uint32_t> count;                          // per device of the block
    std::vector<std::pair<uint32_t, double>> candidates;  // gateway, squared distance (m^2)
    std::vector<double> candidate_gain;                   // their gains (dB)
    std::vector<std::pair<uint32_t, double>> gains;
    std::vector<uint32_t> chosen;
    void clear() {
      gateway.clear();
      gain.clear();
      count.clear();
    }
  };
  const auto links_of = [&](size_t d, Scratch& scratch) {
    auto& candidates = scratch.candidates;
    auto& gains = scratch.gains;
    auto& chosen = scratch.chosen;
    const scenario::DevicePopulation& pop = sc.devices[city.device_population[d]];
    const bool nbiot = pop.technology == nbiot_tech;
    const double floor = link_floor_dbm(pop);
    const uint64_t shadow_key = core::Stream(seed, "shadowing", d).key();
    core::Stream wall_rng(seed, "penetration", d);
    const double wall_db =
        pop.penetration.sigma_db > 0.0 || pop.penetration.mean_db > 0.0
            ? pop.penetration.mean_db + pop.penetration.sigma_db * standard_normal_draw(wall_rng)
            : 0.0;
    const double wall_loss_db = std::max(0.0, wall_db);
    const double wall_z = sigma > 0.0 ? wall_loss_db / sigma : 0.0;  // the lift it asks, in sigmas
    // Wi-Fi cameras associate through sim/wifi_access.cpp (5 GHz link budget), not radio links.
    const double x = city.device_x_m[d], y = city.device_y_m[d];
    double best_rssi = -std::numeric_limits<double>::infinity();
    const GatewayGrid* grid = pop.technology == lora ? &lora_grid : nbiot ? &nbiot_grid : nullptr;
    // candidates: the gateways within radius_m (and beyond inner_m) whose draw can lift them tighter_db
    // above what the cut-off needs.
    // (With shadowing, a pair whose draw surely cannot lift it as far as it needs is skipped on the draw's
    // hashes without the draw itself; see link_index.hpp.)
    const auto visit = [&](const LinkCutoff& cutoff, double radius_m, double inner_m, double tighter_db) {
      if (grid == nullptr) return;
      const PairFilter filter{&cutoff, &lift, shadow_key, wall_z + (sigma > 0.0 ? tighter_db / sigma : 0.0)};
      grid->candidates(x, y, radius_m, inner_m, filter, candidates);
    };
    // gains: the candidates heard at full power down to the SF12 floor, with their gains.
    // (d2 as the grid computed it: its square root is the distance to within an ulp of std::hypot's, far
    // below the float a gain is kept as.)
    const LinkGains link_gains{&sc.channel.path_loss, antenna_dbi.data(), rank.data(), shadow_key, sigma,
                               wall_loss_db};
    const auto judge = [&] {
      link_gains.compute(candidates, scratch.candidate_gain, vector_gains);
      for (size_t i = 0; i < candidates.size(); ++i) {
        const double gain = scratch.candidate_gain[i];
        if (pop.radio.tx_power_dbm + gain < floor) continue;
        best_rssi = std::max(best_rssi, pop.radio.tx_power_dbm + gain);
        gains.push_back({candidates[i].first, gain});
      }
    };
    // Every link within the cut-off, in gateway order.
    const auto gather = [&](const LinkCutoff& cutoff) {
      candidates.clear();
      gains.clear();
      visit(cutoff, cutoff.radius_m(), -1.0, 0.0);
      std::sort(candidates.begin(), candidates.end(),
                [](const auto& l, const auto& r) { return l.first < r.first; });
      judge();
    };
    // radio.receptions: strongest_only: the links that can be among the K strongest, in gateway order
    // (a subset of gather's holding every link at least as strong as its K-th: the same K are chosen
    // from it). The gateways near the device first, whose K-th strongest link is a threshold that the
    // others must beat: the draws that cannot lift a gateway that far are skipped on their hashes (~25
    // judged a device in the realistic 1 M city instead of ~150), and the gateways beyond the radius at
    // which even the largest draw falls short of it are not visited (with 7.8 dB of shadowing that
    // radius still holds the whole city: the largest draw lifts a link by 67 dB).
    const auto gather_strongest = [&](const LinkCutoff& cutoff) {
      candidates.clear();
      gains.clear();
      const double inner =
          std::min(cutoff.radius_m(), grid != nullptr ? grid->radius_holding(3.0 * keep_k) : 0.0);
      visit(cutoff, inner, -1.0, 0.0);
      judge();
      if (gains.size() < keep_k) return gather(cutoff);
      const auto kth = gains.begin() + (keep_k - 1);
      std::nth_element(gains.begin(), kth, gains.end(),
                       [](const auto& l, const auto& r) { return l.second > r.second; });
      // Less 0.001 dB: the selection compares the gains as floats (rounded by ~1e-5 dB at these values).
      const double threshold_db = kth->second - 0.001;
      const double tighter_db =
          std::max(0.0, cutoff.max_loss_db() -
                            (max_antenna_dbi.at(static_cast<size_t>(pop.technology)) - threshold_db));
      candidates.clear();
      visit(cutoff, cutoff.radius_m(tighter_db + wall_loss_db), inner, tighter_db);
      judge();
      std::sort(gains.begin(), gains.end(), [](const auto& l, const auto& r) { return l.first < r.first; });
    };
    if (keep_k > 0)
      gather_strongest(cutoffs[city.device_population[d]]);
    else
      gather(cutoffs[city.device_population[d]]);
    const int sf = nbiot ? 0
                   : pop.radio.sf_auto
                       ? std::min(city.populations[city.device_population[d]].max_sf,
                                  models::radio::spreading_factor_for_link(
                                      best_rssi, pop.radio.phy.bandwidth_hz,
                                      sc.channel.gateway_sensitivity_dbm, pop.radio.join_margin_db))
                       : pop.radio.phy.spreading_factor;
    city.device_sf[d] = static_cast<uint8_t>(sf);
    // Kept: the links a frame of the device can ever be heard on (its SF fixed for the run, or SF12).
    // (sf < 7: no SF fits the region's limits, which resolve() refuses; kept to the floor here.)
    const double keep_dbm = nbiot || pop.radio.adr || sf >= 12 || sf < 7
                                ? floor
                                : models::radio::gateway_sensitivity_dbm(sf, pop.radio.phy.bandwidth_hz,
                                                                         sc.channel.gateway_sensitivity_dbm) -
                                      kKeptLinkMarginDb;
    uint32_t count = 0;
    for (const auto& [g, gain] : gains) {
      if (pop.radio.tx_power_dbm + gain < keep_dbm) continue;
      scratch.gateway.push_back(g);
      scratch.gain.push_back(static_cast<float>(gain));
      ++count;
    }
    // No link at the device's own SF: it keeps those it has down to the SF12 floor. Its frames are never
    // heard on them (the radio medium judges each reception at the frame's SF), but the coverage
    // (sim/plan/coverage.cpp: a device with a link is within reach at SF12) counts it as before.
    if (count == 0 && !nbiot) {
      if (fixed_sf(pop)) gather(sf12_cutoffs[city.device_population[d]]);  // a wider cut-off
      for (const auto& [g, gain] : gains) {
        scratch.gateway.push_back(g);
        scratch.gain.push_back(static_cast<float>(gain));
        ++count;
      }
    }
    // radio.receptions: strongest_only: its K strongest links alone, the only ones its frames use (they
    // are neither received nor interfere beyond them, sim/access/strongest_links.hpp), chosen as the
    // radio medium chose them from every link: the strongest is among them (NB-IoT's serving cell), and
    // a device with a link keeps one (coverage).
    if (keep_k > 0 && count > keep_k) {
      const size_t at = scratch.gain.size() - count;
      strongest_positions({scratch.gain.data() + at, count}, keep_k, chosen);
      for (size_t i = 0; i < chosen.size(); ++i) {  // increasing positions, each >= i: compacted in place
        scratch.gateway[at + i] = scratch.gateway[at + chosen[i]];
        scratch.gain[at + i] = scratch.gain[at + chosen[i]];
      }
      scratch.gateway.resize(at + keep_k);
      scratch.gain.resize(at + keep_k);
      count = keep_k;
    }
    scratch.count.push_back(count);
  };

  // The blocks are computed in parallel and appended to the city's arrays in device order as soon as
  // every block before them is in (by whichever thread completes the run): each link is written once into
  // its scratch and once into its place, with no copy per block in between (they were gathered in a vector
  // per block and concatenated at the end: 2.8 GB faulted in and copied for the 1.4 GB of links of the
  // exact realistic 1 M city). The arrays are reserved for the links a sample of the devices predicts; a
  // city that outgrows it grows them as a vector grows.
  {
    Scratch sample;
    const size_t stride = std::max<size_t>(1, n / 2048);
    size_t sampled = 0;
    for (size_t d = 0; d < n; d += stride, ++sampled) links_of(d, sample);
    const double per_device =
        sampled > 0 ? static_cast<double>(sample.gateway.size()) / static_cast<double>(sampled) : 0.0;
    const auto expected = static_cast<size_t>(per_device * static_cast<double>(n) * 1.05) + 16 * block;
    city.link_gateway.reserve(expected);
    city.link_gain_db.reserve(expected);
  }
  city.link_offset.reserve(n + 1);
  city.link_offset.push_back(0);
  std::mutex mutex;  // the fields below
  std::vector<std::unique_ptr<Scratch>> spare;
  std::vector<std::unique_ptr<Scratch>> ready(blocks);  // computed, waiting for the blocks before them
  size_t next_in = 0;                                   // the first block not yet appended
  std::atomic<size_t> next_block{0}, blocks_done{0};
  const auto append = [&](Scratch& done) {  // under mutex
    const size_t at = city.link_gateway.size(), count = done.gateway.size();
    if (at + count > city.link_gateway.capacity()) {
      const size_t grown =
          std::max(at + count, city.link_gateway.capacity() + city.link_gateway.capacity() / 2);
      city.link_gateway.reserve(grown);
      city.link_gain_db.reserve(grown);
    }
    city.link_gateway.resize(at + count);
    city.link_gain_db.resize(at + count);
    std::copy(done.gateway.begin(), done.gateway.end(),
              city.link_gateway.begin() + static_cast<std::ptrdiff_t>(at));
    std::copy(done.gain.begin(), done.gain.end(),
              city.link_gain_db.begin() + static_cast<std::ptrdiff_t>(at));
    for (uint32_t c : done.count) city.link_offset.push_back(city.link_offset.back() + c);
  };
  // One item a thread, each taking blocks in increasing order from next_block (the pool's own claims
  // come from both ends of its items, which would leave the first blocks to the last).
  pool.parallel_for(static_cast<size_t>(pool.size()), [&](size_t) {
    for (;;) {
      if (core::stop_requested()) return;  // the blocks left are skipped, and the set-up abandoned below
      const size_t b = next_block.fetch_add(1, std::memory_order_relaxed);
      if (b >= blocks) return;
      std::unique_ptr<Scratch> scratch;
      {
        const std::lock_guard lock(mutex);
        if (spare.empty()) {
          scratch = std::make_unique<Scratch>();
        } else {
          scratch = std::move(spare.back());
          spare.pop_back();
        }
      }
      scratch->clear();
      for (size_t d = b * block, last = std::min(n, (b + 1) * block); d < last; ++d) links_of(d, *scratch);
      {
        const std::lock_guard lock(mutex);
        ready[b] = std::move(scratch);
        for (; next_in < blocks && ready[next_in]; ++next_in) {
          append(*ready[next_in]);
          spare.push_back(std::move(ready[next_in]));
        }
      }
      if (progress)
        progress(static_cast<double>(blocks_done.fetch_add(1, std::memory_order_relaxed) + 1) /
                 static_cast<double>(blocks));
    }
  });
  if (core::stop_requested()) throw core::Stopped("stopped while computing the radio links");
  if (next_in != blocks) throw std::logic_error("build_city_layout: a block of links was not appended");
  return city;
}

}  // namespace citytwin::sim::city
