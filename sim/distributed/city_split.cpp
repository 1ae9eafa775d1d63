#include "sim/distributed/city_split.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace citytwin::sim::distributed {
namespace {

static_assert(std::is_trivially_copyable_v<engine::Transmission>, "transmissions cross ranks as bytes");

// Each rank's share of a window's all-gather: this header, then its transmissions as they are in memory
// (every rank is the same binary: same layout).
struct WindowHeader {
  uint64_t transmissions;
  uint64_t stop;
};

// A device's state after the run, as the owner sends it to rank 0.
struct DeviceState {
  uint32_t device;
  uint32_t dead;
  double battery_mah;
};

template <class T>
void append(std::vector<std::byte>& out, const T* items, size_t n) {
  const auto* p = reinterpret_cast<const std::byte*>(items);
  out.insert(out.end(), p, p + n * sizeof(T));
}

}  // namespace

CitySplit::CitySplit(const city::CityLayout& city, core::Ranks& ranks) : city_(city), ranks_(ranks) {
  size_t districts = 0;
  for (uint16_t d : city.device_district) districts = std::max<size_t>(districts, d + 1u);
  std::vector<uint64_t> devices(districts, 0);
  for (uint16_t d : city.device_district) ++devices[d];
  const int size = ranks.size();
  if (size < 1) throw std::invalid_argument("a city is split over at least one rank");
  // Contiguous blocks: district d goes to the rank whose share of the devices its middle falls in.
  owner_.assign(districts, 0);
  const double total = static_cast<double>(city.device_count());
  double before = 0.0;
  for (size_t d = 0; d < districts; ++d) {
    const double middle = before + 0.5 * static_cast<double>(devices[d]);
    const int r = total > 0.0 ? static_cast<int>(middle / total * size) : 0;
    owner_[d] = std::clamp(r, 0, size - 1);
    before += static_cast<double>(devices[d]);
  }
  owned_.assign(districts, 0);
  for (size_t d = 0; d < districts; ++d) owned_[d] = owner_[d] == ranks.rank() ? 1 : 0;
}

bool CitySplit::exchange(std::vector<engine::Transmission>& produced, bool stop) {
  std::vector<std::byte> mine;
  const WindowHeader header{produced.size(), stop ? 1u : 0u};
  append(mine, &header, 1);
  append(mine, produced.data(), produced.size());
  std::vector<size_t> sizes;
  const std::vector<std::byte> all = ranks_.all_gather(mine, sizes);
  ++volume_.windows;
  ++volume_.collectives;
  volume_.bytes_sent += mine.size();
  volume_.bytes_received += all.size() - mine.size();
  volume_.transmissions += produced.size();
  volume_.max_window_bytes = std::max<uint64_t>(volume_.max_window_bytes, all.size());

  produced.clear();
  bool any_stop = false;
  size_t at = 0;
  for (size_t r = 0; r < sizes.size(); ++r) {
    WindowHeader h{};
    if (sizes[r] < sizeof h) throw std::runtime_error("rank " + std::to_string(r) + " sent a short window");
    std::memcpy(&h, all.data() + at, sizeof h);
    if (sizes[r] != sizeof h + h.transmissions * sizeof(engine::Transmission))
      throw std::runtime_error("rank " + std::to_string(r) + " sent a window of the wrong size");
    const size_t first = produced.size();
    produced.resize(first + h.transmissions);
    std::memcpy(static_cast<void*>(produced.data() + first), all.data() + at + sizeof h,
                h.transmissions * sizeof(engine::Transmission));
    any_stop = any_stop || h.stop != 0;
    at += sizes[r];
  }
  return any_stop;
}

void CitySplit::gather_fleet(engine::Fleet& fleet) {
  std::vector<std::byte> mine;
  if (!root()) {
    const uint64_t deferred = fleet.deferred_by_duty_cycle();
    append(mine, &deferred, 1);
    std::vector<DeviceState> states;
    for (uint32_t dev = 0; dev < city_.device_count(); ++dev)
      if (owned_[city_.device_district[dev]])
        states.push_back({dev, fleet.dead(dev) ? 1u : 0u, fleet.battery_mah(dev)});
    append(mine, states.data(), states.size());
  }
  std::vector<size_t> sizes;
  const std::vector<std::byte> all = ranks_.gather(mine, sizes);
  ++volume_.collectives;
  volume_.bytes_sent += mine.size();
  if (!root()) return;
  size_t at = 0;
  for (size_t r = 1; r < sizes.size(); ++r) {
    at += sizes[r - 1];
    if (sizes[r] < sizeof(uint64_t) || (sizes[r] - sizeof(uint64_t)) % sizeof(DeviceState) != 0)
      throw std::runtime_error("rank " + std::to_string(r) + " sent a fleet of the wrong size");
    uint64_t deferred = 0;
    std::memcpy(&deferred, all.data() + at, sizeof deferred);
    fleet.adopt_deferred(deferred);
    const size_t n = (sizes[r] - sizeof deferred) / sizeof(DeviceState);
    for (size_t i = 0; i < n; ++i) {
      DeviceState s{};
      std::memcpy(&s, all.data() + at + sizeof deferred + i * sizeof s, sizeof s);
      fleet.adopt(s.device, s.battery_mah, s.dead != 0);
    }
  }
}

}  // namespace citytwin::sim::distributed
