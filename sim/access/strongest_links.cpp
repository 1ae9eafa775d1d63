#include "sim/access/strongest_links.hpp"

#include <algorithm>

#include "sim/city/link_index.hpp"

namespace citytwin::sim::access {

StrongestLinks::StrongestLinks(const city::CityLayout& city, uint32_t k, bool demodulators)
    : k_(k), demodulators_(demodulators) {
  const size_t devices = city.device_count();
  offset_.reserve(devices + 1);
  offset_.push_back(0);
  // Sized once (the run budget counts 12 B a chosen link: vectors grown by doubling would hold up to twice).
  uint64_t positions = 0;
  for (size_t d = 0; d < devices; ++d)
    positions += std::min<uint64_t>(k, city.link_offset[d + 1] - city.link_offset[d]);
  position_.reserve(positions);
  gateway_.reserve(positions);
  gain_db_.reserve(positions);
  std::vector<uint32_t> scratch;
  for (size_t d = 0; d < devices; ++d) {
    const uint64_t begin = city.link_offset[d], end = city.link_offset[d + 1];
    city::strongest_positions({city.link_gain_db.data() + begin, static_cast<size_t>(end - begin)}, k,
                              scratch);
    position_.insert(position_.end(), scratch.begin(), scratch.end());
    for (uint32_t p : scratch) {
      gateway_.push_back(city.link_gateway[begin + p]);
      gain_db_.push_back(city.link_gain_db[begin + p]);
    }
    offset_.push_back(position_.size());
  }
}

}  // namespace citytwin::sim::access
