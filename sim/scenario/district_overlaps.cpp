#include "sim/scenario/district_overlaps.hpp"

#include <algorithm>
#include <memory>
#include <numeric>

namespace citytwin::sim::scenario {
namespace {

// The shape of a district as polygons: its own, or its rectangle's (made once, when a rectangle meets a
// polygon district).
const DistrictShape& shape_of(const District& district, std::shared_ptr<const DistrictShape>& made) {
  if (district.shape) return *district.shape;
  if (!made)
    made = DistrictShape::rectangle(district.x_min_m, district.y_min_m, district.x_max_m, district.y_max_m);
  return *made;
}

}  // namespace

std::vector<DistrictOverlap> district_overlaps(const std::vector<District>& districts) {
  // A sweep over x: each district is compared with those whose bounding box starts before its own ends
  // (a grid of n districts costs about n sqrt(n) box tests, not n^2 intersections).
  std::vector<std::size_t> order(districts.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return districts[a].x_min_m < districts[b].x_min_m; });
  std::vector<std::shared_ptr<const DistrictShape>> rectangles(districts.size());
  std::vector<DistrictOverlap> out;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const District& a = districts[order[k]];
    for (std::size_t m = k + 1; m < order.size() && districts[order[m]].x_min_m < a.x_max_m; ++m) {
      const District& b = districts[order[m]];
      const double width = std::min(a.x_max_m, b.x_max_m) - std::max(a.x_min_m, b.x_min_m);
      const double height = std::min(a.y_max_m, b.y_max_m) - std::max(a.y_min_m, b.y_min_m);
      if (!(width > 0.0 && height > 0.0)) continue;  // apart, or touching
      const double common =
          !a.shape && !b.shape
              ? width * height
              : shape_of(a, rectangles[order[k]]).overlap_area_m2(shape_of(b, rectangles[order[m]]));
      if (common <= kDistrictOverlapTolerance * std::min(a.area_m2(), b.area_m2())) continue;
      out.push_back({std::min(order[k], order[m]), std::max(order[k], order[m]), common});
    }
  }
  std::sort(out.begin(), out.end(), [](const DistrictOverlap& x, const DistrictOverlap& y) {
    return x.second != y.second ? x.second < y.second : x.first < y.first;
  });
  return out;
}

}  // namespace citytwin::sim::scenario
