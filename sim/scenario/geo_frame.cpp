#include "sim/scenario/geo_frame.hpp"

#include <cmath>
#include <numbers>

namespace citytwin::sim::scenario {
namespace {

constexpr double kDeg = std::numbers::pi / 180.0;

struct Frame {
  double sin0, cos0;
  double radius_m;  // sqrt(M N): the sphere osculating the ellipsoid's mean curvature at the origin
  double x_scale;   // sqrt(N / M): east distances on that sphere -> on the ellipsoid
  double y_scale;   // sqrt(M / N): north distances
};

Frame frame_of(const GeoOrigin& origin) {
  const double e2 = kWgs84F * (2.0 - kWgs84F);
  const double s = std::sin(origin.lat_deg * kDeg);
  const double w = std::sqrt(1.0 - e2 * s * s);
  const double m = kWgs84A_m * (1.0 - e2) / (w * w * w);  // meridian radius of curvature
  const double n = kWgs84A_m / w;                         // prime-vertical radius of curvature
  return {s, std::cos(origin.lat_deg * kDeg), std::sqrt(m * n), std::sqrt(n / m), std::sqrt(m / n)};
}

}  // namespace

// Oblique stereographic, spherical form: Snyder, Map Projections: A Working Manual (USGS PP 1395, 1987),
// equations 21-2 to 21-4 (forward) and 20-14, 20-15, 21-15 (inverse).
std::array<double, 2> to_local_m(const GeoOrigin& origin, double lat_deg, double lon_deg) {
  const Frame f = frame_of(origin);
  const double phi = lat_deg * kDeg, dlon = (lon_deg - origin.lon_deg) * kDeg;
  const double k =
      2.0 * f.radius_m / (1.0 + f.sin0 * std::sin(phi) + f.cos0 * std::cos(phi) * std::cos(dlon));
  const double x = k * std::cos(phi) * std::sin(dlon);
  const double y = k * (f.cos0 * std::sin(phi) - f.sin0 * std::cos(phi) * std::cos(dlon));
  return {x * f.x_scale, y * f.y_scale};
}

std::array<double, 2> to_lat_lon(const GeoOrigin& origin, double x_m, double y_m) {
  const Frame f = frame_of(origin);
  const double x = x_m / f.x_scale, y = y_m / f.y_scale;
  const double rho = std::hypot(x, y);
  if (rho == 0.0) return {origin.lat_deg, origin.lon_deg};
  const double c = 2.0 * std::atan(rho / (2.0 * f.radius_m));
  const double lat = std::asin(std::cos(c) * f.sin0 + y * std::sin(c) * f.cos0 / rho);
  const double dlon = std::atan2(x * std::sin(c), rho * f.cos0 * std::cos(c) - y * f.sin0 * std::sin(c));
  return {lat / kDeg, origin.lon_deg + dlon / kDeg};
}

}  // namespace citytwin::sim::scenario
