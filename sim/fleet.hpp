// The fleet engine: every device's duty-cycle state machine, advanced in windows. Devices are not
// SimGrid actors (DESIGN.md section 3): their state lives in contiguous arrays, and each partition
// (a district, split into chunks so that there is work for every thread) keeps its own calendar of
// wake-ups. Inside a window the partitions advance in parallel; a device's events depend only on its
// own state and its own random stream, so the results do not depend on the thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/city_layout.hpp"
#include "sim/thread_pool.hpp"

namespace citytwin::sim {

struct Transmission {
  double t_start_s = 0.0;
  double t_end_s = 0.0;
  uint32_t device = 0;
  uint32_t channel_hz = 0;
  uint8_t spreading_factor = 7;
  double battery_mah_left = 0.0;
};

// Orders transmissions by start time, then device id: the order of /messages.
inline bool tx_before(const Transmission& a, const Transmission& b) {
  return a.t_start_s < b.t_start_s || (a.t_start_s == b.t_start_s && a.device < b.device);
}

class Fleet {
 public:
  // No wake-up is processed at or after end_s (the run's duration).
  Fleet(const CityLayout& city, uint64_t seed, double end_s, int threads);

  // Processes every wake-up before t_s and appends the resulting transmissions to out, sorted by
  // tx_before. Transmissions may end after t_s.
  void advance(double t_s, ThreadPool& pool, std::vector<Transmission>& out);

  // Charges each living device's sleep up to end_s (the end of the run, or where it was stopped).
  // Call once, after the last advance.
  void finish(double end_s);

  double battery_mah(uint32_t device) const { return battery_mah_[device]; }
  double energy_used_mah(uint32_t device) const;
  bool dead(uint32_t device) const { return dead_[device] != 0; }
  size_t dead_count() const;
  size_t partition_count() const { return partitions_.size(); }

 private:
  struct Event {
    double t_s;
    uint32_t device;
  };
  struct Partition {
    std::vector<Event> heap;  // min-heap on (t_s, device)
    std::vector<Transmission> out;
  };

  void wake(uint32_t device, double t_s, Partition& part);
  double next_interval_s(uint32_t device, const PopulationProfile& pop);

  const CityLayout& city_;
  uint64_t seed_;
  double end_s_;
  std::vector<Partition> partitions_;
  // Per-device state.
  std::vector<double> battery_mah_;
  std::vector<double> asleep_since_s_;
  std::vector<uint64_t> rng_counter_;
  std::vector<uint8_t> dead_;
};

}  // namespace citytwin::sim
