#include "sim/city/build_city_layout.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>
#include <numbers>
#include <stdexcept>
#include <string>

#include "sim/city/device_links.hpp"
#include "sim/city/resolve.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/run_error.hpp"
#include "sim/core/stop.hpp"

namespace citytwin::sim::city {
namespace {

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
  p.self_discharge_rate_per_s = models::device::self_discharge_rate_per_s(p.self_discharge_per_year);
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
          throw core::RunError(scenario::population_path(sc, pop_index) + ": district '" + d.name +
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
                             std::to_string(pop.placement.mark.column) + ": " +
                             scenario::population_path(sc, pop_index) +
                             ".disc: the disc lies (almost) entirely outside the districts");
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

  // Links: every gateway the device could reach at full power with SF12 (sim/city/device_links.hpp),
  // computed in blocks of devices in parallel, concatenated in device order.
  const size_t n = city.device_count();
  const size_t block = 4096;
  const size_t blocks = (n + block - 1) / block;
  city.device_sf.resize(n);
  const DeviceLinks device_links(sc, seed, city);
  city.links_strongest_k = device_links.strongest_k();
  using Scratch = DeviceLinks::Scratch;
  const auto links_of = [&](size_t d, Scratch& scratch) {
    city.device_sf[d] = device_links.append(d, scratch);
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
  city.links_by_gateway = true;  // DeviceLinks gathers and keeps each device's links in gateway order
  return city;
}

}  // namespace citytwin::sim::city
