// A district's outline when it is not a rectangle: polygons with holes (a GeoJSON Polygon or
// MultiPolygon, sim/scenario/scenario_geojson.cpp), in the local frame's metres. Boost.Geometry
// (Debian's libboost-dev, header-only, already a dependency through Boost) does the validity check,
// the area and the point-in-polygon test; it stays inside district_shape.cpp.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace citytwin::sim::scenario {

using Ring = std::vector<std::array<double, 2>>;

struct PolygonRings {
  Ring outer;
  std::vector<Ring> holes;
};

class DistrictShape {
 public:
  // The shape of these polygons, rings closed and oriented (GeoJSON's right-hand rule is not required);
  // null with a reason in *error when they are not a valid multipolygon (self-intersecting rings,
  // a hole outside its polygon, overlapping polygons, fewer than 3 distinct points).
  static std::shared_ptr<const DistrictShape> make(std::vector<PolygonRings> polygons, std::string* error);
  // An axis-aligned rectangle as a shape (a rectangle district's, to intersect with a polygon district).
  static std::shared_ptr<const DistrictShape> rectangle(double x_min_m, double y_min_m, double x_max_m,
                                                        double y_max_m);

  // The area this shape and `other` have in common: 0 for shapes that only touch along an edge or at a
  // point (Boost.Geometry's intersection; should its overlay fail on nearly coincident edges, the share
  // of a 512 x 512 lattice over the common bounding box that lies in both).
  double overlap_area_m2(const DistrictShape& other) const;

  // Inside or on the boundary; inside a hole is outside (the even-odd rule for valid polygons).
  bool covers(double x_m, double y_m) const;
  double area_m2() const { return area_m2_; }
  // x_min, y_min, x_max, y_max.
  const std::array<double, 4>& bounds() const { return bounds_; }
  // As corrected: closed rings, outer counter-clockwise, holes clockwise (RFC 7946's right-hand rule).
  const std::vector<PolygonRings>& polygons() const { return polygons_; }

  struct Geometry;  // the Boost.Geometry multipolygon (district_shape.cpp)
  ~DistrictShape();
  DistrictShape(const DistrictShape&) = delete;
  DistrictShape& operator=(const DistrictShape&) = delete;

 private:
  DistrictShape() = default;
  std::unique_ptr<Geometry> geometry_;
  std::vector<PolygonRings> polygons_;
  double area_m2_ = 0.0;
  std::array<double, 4> bounds_{};
};

}  // namespace citytwin::sim::scenario
