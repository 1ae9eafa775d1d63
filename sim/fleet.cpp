#include "sim/fleet.hpp"

#include <algorithm>

#include "sim/rng.hpp"

namespace citytwin::sim {
namespace {

constexpr uint64_t kDeviceStream = purpose_tag("device");

bool later(const auto& a, const auto& b) { return a.t_s > b.t_s || (a.t_s == b.t_s && a.device > b.device); }

}  // namespace

Fleet::Fleet(const CityLayout& city, uint64_t seed, double end_s, int threads)
    : city_(city), seed_(seed), end_s_(end_s) {
  const size_t n = city.device_count();
  battery_mah_.resize(n);
  asleep_since_s_.assign(n, 0.0);
  rng_counter_.assign(n, 0);
  dead_.assign(n, 0);

  // Partitions: each district split into chunks, at least 4 per thread overall when there is enough
  // work. Partitioning never changes results, only load balance.
  size_t districts = 0;
  for (uint16_t d : city.device_district) districts = std::max<size_t>(districts, d + 1u);
  std::vector<size_t> per_district(districts, 0);
  for (uint16_t d : city.device_district) ++per_district[d];
  const size_t target = std::max<size_t>(1, static_cast<size_t>(threads) * 4);
  const size_t chunk = std::max<size_t>(1024, (n + target - 1) / target);
  std::vector<size_t> first_partition(districts, 0);
  for (size_t d = 0; d < districts; ++d) {
    first_partition[d] = partitions_.size();
    partitions_.resize(partitions_.size() + std::max<size_t>(1, (per_district[d] + chunk - 1) / chunk));
  }
  std::vector<size_t> seen(districts, 0);
  for (uint32_t dev = 0; dev < n; ++dev) {
    const PopulationProfile& pop = city.populations[city.device_population[dev]];
    battery_mah_[dev] = pop.battery_mah;
    const uint16_t d = city.device_district[dev];
    Partition& part = partitions_[first_partition[d] + seen[d]++ / chunk];
    // First wake-up: uniform over one interval (periodic) or exponential (Poisson), from the device's
    // own stream, so devices do not start in lockstep.
    Stream rng(stream_key(seed_, kDeviceStream, dev), rng_counter_[dev]);
    const double first = pop.traffic == Traffic::Periodic ? rng.uniform() * pop.interval_s
                                                          : rng.exponential(pop.interval_s);
    rng_counter_[dev] = rng.counter();
    part.heap.push_back({first, dev});
  }
  for (Partition& part : partitions_) std::make_heap(part.heap.begin(), part.heap.end(), later<Event, Event>);
}

double Fleet::next_interval_s(uint32_t device, const PopulationProfile& pop) {
  Stream rng(stream_key(seed_, kDeviceStream, device), rng_counter_[device]);
  const double dt = pop.traffic == Traffic::Periodic
                        ? pop.interval_s * (1.0 + pop.jitter * (2.0 * rng.uniform() - 1.0))
                        : rng.exponential(pop.interval_s);
  rng_counter_[device] = rng.counter();
  return dt;
}

// One pass through the duty cycle: Sleep (charged since the device fell asleep) -> Wake -> Sense ->
// Transmit -> Receive -> Sleep. A device whose battery empties stops for good.
void Fleet::wake(uint32_t dev, double t_s, Partition& part) {
  const PopulationProfile& pop = city_.populations[city_.device_population[dev]];
  const auto& machine = pop.machine;
  double battery = battery_mah_[dev] - machine.sleep(t_s - asleep_since_s_[dev]).charge_mah();
  if (battery <= 0.0) {
    battery_mah_[dev] = 0.0;
    dead_[dev] = 1;
    return;
  }
  Stream rng(stream_key(seed_, kDeviceStream, dev), rng_counter_[dev]);
  const uint32_t channel = pop.channels_hz[rng.below(static_cast<uint32_t>(pop.channels_hz.size()))];
  rng_counter_[dev] = rng.counter();

  battery -= machine.active_charge_mah(pop.airtime_s);
  const double t_tx = t_s + machine.wake_to_tx_s();
  part.out.push_back({t_tx, t_tx + pop.airtime_s, dev, channel, pop.spreading_factor, std::max(battery, 0.0)});
  asleep_since_s_[dev] = t_s + machine.active_duration_s(pop.airtime_s);
  battery_mah_[dev] = std::max(battery, 0.0);
  if (battery <= 0.0) {
    dead_[dev] = 1;
    return;
  }
  // The next report cannot start before this cycle has ended.
  const double next = std::max(t_s + next_interval_s(dev, pop), asleep_since_s_[dev]);
  if (next < end_s_) {
    part.heap.push_back({next, dev});
    std::push_heap(part.heap.begin(), part.heap.end(), later<Event, Event>);
  }
}

void Fleet::advance(double t_s, ThreadPool& pool, std::vector<Transmission>& out) {
  const double limit = std::min(t_s, end_s_);
  pool.parallel_for(partitions_.size(), [&](size_t p) {
    Partition& part = partitions_[p];
    part.out.clear();
    while (!part.heap.empty() && part.heap.front().t_s < limit) {
      std::pop_heap(part.heap.begin(), part.heap.end(), later<Event, Event>);
      const Event e = part.heap.back();
      part.heap.pop_back();
      wake(e.device, e.t_s, part);
    }
  });
  const size_t first = out.size();
  for (const Partition& part : partitions_) out.insert(out.end(), part.out.begin(), part.out.end());
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(), tx_before);
}

void Fleet::finish(double end_s) {
  for (uint32_t dev = 0; dev < battery_mah_.size(); ++dev) {
    if (dead_[dev] || asleep_since_s_[dev] >= end_s) continue;
    const auto& machine = city_.populations[city_.device_population[dev]].machine;
    battery_mah_[dev] = std::max(0.0, battery_mah_[dev] - machine.sleep(end_s - asleep_since_s_[dev]).charge_mah());
    asleep_since_s_[dev] = end_s;
    if (battery_mah_[dev] <= 0.0) dead_[dev] = 1;
  }
}

double Fleet::energy_used_mah(uint32_t device) const {
  return city_.populations[city_.device_population[device]].battery_mah - battery_mah_[device];
}

size_t Fleet::dead_count() const { return static_cast<size_t>(std::count(dead_.begin(), dead_.end(), 1)); }

}  // namespace citytwin::sim
