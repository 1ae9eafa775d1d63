#include "sim/scenario/district_shape.hpp"

#include <algorithm>
#include <boost/geometry.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#include <limits>

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

bool DistrictShape::covers(double x_m, double y_m) const {
  return bg::covered_by(BgPoint(x_m, y_m), geometry_->shape);
}

}  // namespace citytwin::sim::scenario
