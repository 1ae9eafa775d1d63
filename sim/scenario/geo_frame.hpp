// The city's local frame and the Earth: city.origin is the WGS84 latitude and longitude of the
// scenario's (0 m, 0 m), x pointing east and y north. Latitude and longitude map to local metres by an
// oblique stereographic projection about the origin on the sphere of the ellipsoid's mean radius there,
// its axes rescaled to the WGS84 meridian (M) and prime-vertical (N) radii of curvature at the origin.
// Distances within a 30 km city come out within 0.3 m (2e-5) of the geodesic (Vincenty) distance at any
// latitude up to 60 degrees; plain equirectangular, x = N cos(lat0) dlon, is 50 m (1.7e-3) off at 36 N.
// tests/sim/geo_frame_test.cpp checks it against Geoscience Australia's published Vincenty example.
#pragma once

#include <array>

namespace citytwin::sim::scenario {

struct GeoOrigin {
  double lat_deg = 0.0;
  double lon_deg = 0.0;
  bool given = false;  // city.origin was written
};

// WGS84 (NIMA TR8350.2, table 3.1): semi-major axis and flattening.
inline constexpr double kWgs84A_m = 6378137.0;
inline constexpr double kWgs84F = 1.0 / 298.257223563;

// (x, y) in metres of the local frame for a point at (lat, lon) degrees.
std::array<double, 2> to_local_m(const GeoOrigin& origin, double lat_deg, double lon_deg);
// (lat, lon) in degrees for a point at (x, y) metres of the local frame; the inverse of to_local_m.
std::array<double, 2> to_lat_lon(const GeoOrigin& origin, double x_m, double y_m);

}  // namespace citytwin::sim::scenario
