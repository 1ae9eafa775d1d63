// Districts that overlap: a point in two districts would be counted in each (the city's area, a
// population's density over its districts) and belong to the first only (a power cut of the other misses
// the gateways there), so the loader refuses them. Shared edges are fine; an overlap up to
// kDistrictOverlapTolerance of the smaller district is tolerated (GeoJSON boundaries rounded to a few
// decimals of a degree overlap their neighbours by slivers).
#pragma once

#include <cstddef>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::scenario {

// The share of the smaller district's area two districts may have in common before they are refused.
inline constexpr double kDistrictOverlapTolerance = 1e-3;

struct DistrictOverlap {
  std::size_t first = 0, second = 0;  // indices into the districts, first < second
  double area_m2 = 0.0;               // what they have in common
};

// Every pair of districts that have more than kDistrictOverlapTolerance of the smaller's area in common,
// ordered by second, then first. Rectangles are intersected exactly, polygons with Boost.Geometry
// (DistrictShape::overlap_area_m2); only pairs whose bounding boxes overlap are intersected.
std::vector<DistrictOverlap> district_overlaps(const std::vector<District>& districts);

}  // namespace citytwin::sim::scenario
