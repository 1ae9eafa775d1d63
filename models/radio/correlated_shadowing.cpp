#include "models/radio/correlated_shadowing.hpp"

#include <algorithm>
#include <numbers>

namespace citytwin::models::radio {
namespace {
// floor(v) as a node index, held within +-2^62 (reached only by a decorrelation distance some 1e-12 of the
// coordinates' span, where far cells would then share nodes).
int64_t node_index(double v) {
  constexpr double kLimit = 0x1.0p62;
  return static_cast<int64_t>(std::clamp(std::floor(v), -kLimit, kLimit));
}
}  // namespace

GridCorners ShadowingGrid::corners(double x_m, double y_m) const {
  const double u = (cos_angle * x_m + sin_angle * y_m) / side_m + shift_u;
  const double v = (-sin_angle * x_m + cos_angle * y_m) / side_m + shift_v;
  GridCorners c;
  c.ix = node_index(u);
  c.iy = node_index(v);
  const double fu = std::clamp(u - std::floor(u), 0.0, 1.0), fv = std::clamp(v - std::floor(v), 0.0, 1.0);
  const std::array<double, 4> b{(1.0 - fu) * (1.0 - fv), fu * (1.0 - fv), fu * fv, (1.0 - fu) * fv};
  const double norm = std::sqrt(b[0] * b[0] + b[1] * b[1] + b[2] * b[2] + b[3] * b[3]);  // >= 1/2
  for (size_t i = 0; i < 4; ++i) c.weight[i] = b[i] / norm;
  return c;
}

ShadowingGrid place_shadowing_grid(double side_m, double u_angle, double u_shift_u, double u_shift_v) {
  const double angle = 2.0 * std::numbers::pi * u_angle;
  return {side_m, std::cos(angle), std::sin(angle), u_shift_u, u_shift_v};
}

double shared_node_weight(const ShadowingGrid& grid, double px_m, double py_m, double qx_m, double qy_m) {
  constexpr std::array<int64_t, 4> kDx{0, 1, 1, 0}, kDy{0, 0, 1, 1};
  const GridCorners p = grid.corners(px_m, py_m), q = grid.corners(qx_m, qy_m);
  double shared = 0.0;
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = 0; j < 4; ++j)
      if (p.ix + kDx[i] == q.ix + kDx[j] && p.iy + kDy[i] == q.iy + kDy[j])
        shared += p.weight[i] * q.weight[j];
  return shared;
}

double shadowing_covariance(const ShadowingGrids& grids, double px_m, double py_m, double qx_m, double qy_m) {
  double covariance = 0.0;
  for (size_t l = 0; l < grids.size(); ++l)
    covariance += kShadowingLayers[l].share * shared_node_weight(grids[l], px_m, py_m, qx_m, qy_m);
  return covariance;
}

double correlated_shadowing_bound_factor() {
  double factor = std::sqrt(kShadowingNuggetShare);
  for (const ShadowingLayer& layer : kShadowingLayers) factor += 2.0 * std::sqrt(layer.share);
  return factor;
}

}  // namespace citytwin::models::radio
