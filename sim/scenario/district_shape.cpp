#include "sim/scenario/district_shape.hpp"

#include <algorithm>
#include <limits>

// Boost 1.74's envelope, which bg::intersection's overlay computes, trips GCC 12's -Wmaybe-uninitialized on
// its box's corners (a false positive: they are assigned before use); the warning is silenced for these
// headers only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/geometry.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace citytwin::sim::scenario {

namespace bg = boost::geometry;
using BgPoint = bg::model::d2::point_xy<double>;
// Counter-clockwise outer rings (RFC 7946), closed.
using BgPolygon = bg::model::polygon<BgPoint, false, true>;
using BgMultiPolygon = bg::model::multi_polygon<BgPolygon>;

struct DistrictShape::Geometry {
  BgMultiPolygon shape;
};

DistrictShape::~DistrictShape() = default;

namespace {

template <typename BgRing>
void fill(BgRing& out, const Ring& ring) {
  for (const auto& p : ring) bg::append(out, BgPoint(p[0], p[1]));
}

template <typename BgRing>
Ring rings_of(const BgRing& ring) {
  Ring out;
  for (const BgPoint& p : ring) out.push_back({p.x(), p.y()});
  return out;
}

}  // namespace

std::shared_ptr<const DistrictShape> DistrictShape::make(std::vector<PolygonRings> polygons,
                                                         std::string* error) {
  auto geometry = std::make_unique<Geometry>();
  for (const PolygonRings& rings : polygons) {
    BgPolygon polygon;
    fill(polygon.outer(), rings.outer);
    for (const Ring& hole : rings.holes) {
      polygon.inners().emplace_back();
      fill(polygon.inners().back(), hole);
    }
    geometry->shape.push_back(std::move(polygon));
  }
  bg::correct(geometry->shape);
  bg::validity_failure_type failure = bg::no_failure;
  if (!bg::is_valid(geometry->shape, failure)) {
    if (error != nullptr) {
      switch (failure) {
        case bg::failure_self_intersections:
        case bg::failure_wrong_orientation:  // after correct(): a ring of zero signed area, a bow tie
          *error = "a ring crosses itself or another ring";
          break;
        case bg::failure_few_points:
        case bg::failure_wrong_topological_dimension:
        case bg::failure_spikes:
          *error = "a ring has fewer than 3 distinct points or folds back on itself";
          break;
        case bg::failure_interior_rings_outside:
          *error = "a hole lies outside its polygon";
          break;
        case bg::failure_nested_interior_rings:
          *error = "a hole lies inside another hole";
          break;
        case bg::failure_disconnected_interior:
          *error = "the holes cut the polygon in pieces";
          break;
        case bg::failure_intersecting_interiors:
          *error = "the polygons of a MultiPolygon overlap";
          break;
        default:
          *error = "not a valid polygon (OGC simple features)";
      }
    }
    return nullptr;
  }
  std::shared_ptr<DistrictShape> shape(new DistrictShape());
  shape->area_m2_ = bg::area(geometry->shape);
  // The outer rings' extremes (bg::envelope trips GCC 12's -Wmaybe-uninitialized in Boost 1.74).
  const double inf = std::numeric_limits<double>::infinity();
  shape->bounds_ = {inf, inf, -inf, -inf};
  for (const BgPolygon& polygon : geometry->shape)
    for (const BgPoint& p : polygon.outer())
      shape->bounds_ = {std::min(shape->bounds_[0], p.x()), std::min(shape->bounds_[1], p.y()),
                        std::max(shape->bounds_[2], p.x()), std::max(shape->bounds_[3], p.y())};
  for (const BgPolygon& polygon : geometry->shape) {
    PolygonRings rings{rings_of(polygon.outer()), {}};
    for (const auto& hole : polygon.inners()) rings.holes.push_back(rings_of(hole));
    shape->polygons_.push_back(std::move(rings));
  }
  shape->geometry_ = std::move(geometry);
  return shape;
}

std::shared_ptr<const DistrictShape> DistrictShape::rectangle(double x_min_m, double y_min_m, double x_max_m,
                                                              double y_max_m) {
  const Ring outer = {{x_min_m, y_min_m}, {x_max_m, y_min_m}, {x_max_m, y_max_m}, {x_min_m, y_max_m}};
  return make({PolygonRings{outer, {}}}, nullptr);
}

double DistrictShape::overlap_area_m2(const DistrictShape& other) const {
  const std::array<double, 4>& a = bounds_;
  const std::array<double, 4>& b = other.bounds_;
  const double x0 = std::max(a[0], b[0]), y0 = std::max(a[1], b[1]);
  const double x1 = std::min(a[2], b[2]), y1 = std::min(a[3], b[3]);
  if (x0 >= x1 || y0 >= y1) return 0.0;
  try {
    BgMultiPolygon common;
    bg::intersection(geometry_->shape, other.geometry_->shape, common);
    return bg::area(common);
  } catch (const bg::exception&) {
    constexpr int kSide = 512;
    const double dx = (x1 - x0) / kSide, dy = (y1 - y0) / kSide;
    int both = 0;
    for (int j = 0; j < kSide; ++j)
      for (int i = 0; i < kSide; ++i) {
        const double x = x0 + (i + 0.5) * dx, y = y0 + (j + 0.5) * dy;
        if (covers(x, y) && other.covers(x, y)) ++both;
      }
    return both * dx * dy;
  }
}

bool DistrictShape::covers(double x_m, double y_m) const {
  return bg::covered_by(BgPoint(x_m, y_m), geometry_->shape);
}

}  // namespace citytwin::sim::scenario
