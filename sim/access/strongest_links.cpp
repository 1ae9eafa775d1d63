#include "sim/access/strongest_links.hpp"

#include <algorithm>
#include <numeric>

namespace citytwin::sim::access {

void strongest_positions(std::span<const float> gains, uint32_t k, std::vector<uint32_t>& out) {
  const auto n = static_cast<uint32_t>(gains.size());
  out.resize(std::min(n, k));
  std::iota(out.begin(), out.end(), 0u);
  if (n <= k || k == 0) return;
  // One pass in link order keeping the k strongest so far (a strict order: the larger gain, ties to the
  // smaller position). A later link has the larger position, so it displaces the weakest kept only with a
  // larger gain; the weakest is found again only then (~k ln(n / k) times). Was nth_element over every
  // link's position: an index array and indirect comparisons, 2.3 s serial for the realistic 1 M city.
  const auto weaker = [&](uint32_t a, uint32_t b) {  // a weaker than b
    return gains[a] < gains[b] || (gains[a] == gains[b] && a > b);
  };
  auto weakest = std::min_element(out.begin(), out.end(), weaker);
  for (uint32_t p = k; p < n; ++p) {
    if (!(gains[p] > gains[*weakest])) continue;
    *weakest = p;
    weakest = std::min_element(out.begin(), out.end(), weaker);
  }
  std::sort(out.begin(), out.end());
}

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
    strongest_positions({city.link_gain_db.data() + begin, static_cast<size_t>(end - begin)}, k, scratch);
    position_.insert(position_.end(), scratch.begin(), scratch.end());
    for (uint32_t p : scratch) {
      gateway_.push_back(city.link_gateway[begin + p]);
      gain_db_.push_back(city.link_gain_db[begin + p]);
    }
    offset_.push_back(position_.size());
  }
}

}  // namespace citytwin::sim::access
