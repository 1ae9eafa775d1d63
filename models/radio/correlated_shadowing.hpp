// Spatially correlated log-normal shadowing: the geometry of a field whose values at two points correlate
// about exp(-d / d_c) at distance d, as pure functions (the caller supplies the field's node values and
// each device's independent draw, and owns the RNG; sim/city/shadowing_field.hpp).
//
// The target: shadowing is a Gaussian process in dB whose normalised autocorrelation decays exponentially
// with distance (M. Gudmundson, "Correlation model for shadow fading in mobile radio systems", Electronics
// Letters 27(23), 1991: R(d) = eps_D^(d / D), eps_D the correlation at distance D), written exp(-d / d_c)
// with the decorrelation distance d_c where it falls to e^-1 (3GPP TR 38.901, 7.4.4, eq. 7.4-5, the
// exponential autocorrelation its spatial consistency procedure 7.6.3.1 uses; Table 7.5-6 gives d_c for the
// shadow fading: UMa 37 m LOS, 50 m NLOS; UMi street canyon 10 m LOS, 13 m NLOS; RMa 37 m LOS, 120 m NLOS,
// as ns-3's ThreeGpp*PropagationLossModel carry them). A scenario's radio.shadowing.correlation_distance
// is that d_c; Gudmundson's eps_D at D is then exp(-D / d_c).
//
// The construction: z(p) = sum over layers l of sqrt(s_l) f_l(p) + sqrt(s_0) e, with
//   - f_l the layer's field: i.i.d. N(0, 1) values at the nodes of a square grid of side h_l d_c (rotated
//     and shifted at random per gateway and layer), and at a point the normalised bilinear interpolation of
//     its cell's four corners, f_l = sum_i w_i n_i with w_i = b_i / |b| (b the bilinear weights): sum w_i^2 =
//     1, so f_l is exactly N(0, 1) everywhere, and continuous;
//   - e the device's own independent N(0, 1) draw (the draw of the uncorrelated model), s_0 its share (a
//     "nugget": two devices at one place still differ a little);
//   - shares s_0 + sum s_l = 1, so z is exactly N(0, 1) at every point (a sum of independent Gaussians).
// The covariance of two distinct devices at p and q, for one gateway's grids, is then in closed form
//   C(p, q) = sum_l s_l sum over the nodes n both cells share of w_n(p) w_n(q)        (shadowing_covariance)
// and, averaged over the grids' random rotations and shifts, an isotropic function of d = |p - q| alone,
// rho(d) = sum_l s_l tau(d / (h_l d_c)), tau the normalised-bilinear grid's own correlation (1 at 0, falling
// to 0 at 2 sqrt(2) cells). The three spacings h_l and shares s_l below are a least-squares fit of rho(d)
// to exp(-d / d_c) on 0 < d <= 5 d_c (tau integrated numerically over the shift and direction). The result,
// rho against exp(-d / d_c) (tests/models/correlated_shadowing_test.cpp computes both):
//   d / d_c     0+      0.25    0.5     1       2       3
//   rho         0.930   0.799   0.597   0.376   0.130   0.055
//   exp(-d/d_c) 1       0.779   0.607   0.368   0.135   0.050
// from 0.1 d_c on within +0.021 (its largest, near 0.2 d_c) and -0.012 (near 0.55 d_c); below 0.1 d_c rho
// keeps the nugget's 0.07 off (devices in one place correlate at 0.93, not 1). rho(d) = 0 beyond 2 sqrt(2)
// h_3 d_c = 7.9 d_c (exp: below 4e-4 there).
//
// Why not simpler: kriging one grid of side d_c (the weights K^-1 r of the cell's four corners under the
// target covariance K, as ns-3's CorrelatedShadowingPropagationLossModel, after Schlegel et al., IEEE
// TVCG 18(12), 2012), with the corners drawn i.i.d. as a hash can draw them, gives a variance |K^-1 r|^2
// that is 1 at a corner but 0.25 at a cell's centre, and, topped up to 1 with an independent term, a
// correlation of 0.37 at 0.25 d_c and 0.11 at d_c (against 0.78 and 0.37): i.i.d. corners are not the
// correlated corners kriging assumes. One normalised-bilinear grid of side d_c (no nugget) gives 0.92 at
// 0.25 d_c, 0.29 at d_c and below 0.001 beyond 2 d_c: the exponential's sharp fall near 0 and long tail
// need several scales.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <span>

namespace citytwin::models::radio {

// One layer of the field: a grid of side spacing x d_c carrying share of the variance.
struct ShadowingLayer {
  double spacing;  // in decorrelation distances
  double share;
};

// The least-squares fit above (spacings 0.4, 1.2, 2.8 d_c; shares rounded to two decimals, rms error of
// rho against exp(-d / d_c) 0.0075 on (0, 5 d_c]).
inline constexpr std::array<ShadowingLayer, 3> kShadowingLayers{{{0.4, 0.28}, {1.2, 0.42}, {2.8, 0.23}}};
inline constexpr double kShadowingNuggetShare = 0.07;  // the device's independent draw: 1 - the shares

// The four nodes of the cell holding a point, (ix, iy), (ix + 1, iy), (ix + 1, iy + 1), (ix, iy + 1), and
// their normalised bilinear weights (sum of squares 1; each in [0, 1]).
struct GridCorners {
  int64_t ix = 0, iy = 0;
  std::array<double, 4> weight{};
};

// One layer's grid as placed for one gateway: its side in metres, rotated by an angle and shifted by a
// fraction of a cell along each of its axes. A point p maps to grid coordinates
//   u = (cos a p_x + sin a p_y) / side + shift_u,  v = (-sin a p_x + cos a p_y) / side + shift_v.
struct ShadowingGrid {
  double side_m = 1.0;
  double cos_angle = 1.0, sin_angle = 0.0;
  double shift_u = 0.0, shift_v = 0.0;

  GridCorners corners(double x_m, double y_m) const;
};

// A layer's grid from three uniforms in [0, 1): angle 2 pi u_angle, shifts u_shift_u and u_shift_v.
ShadowingGrid place_shadowing_grid(double side_m, double u_angle, double u_shift_u, double u_shift_v);

// One gateway's grids, one per layer of kShadowingLayers, for decorrelation distance d_c.
using ShadowingGrids = std::array<ShadowingGrid, kShadowingLayers.size()>;

// Each layer's cell at one point.
using ShadowingCorners = std::array<GridCorners, kShadowingLayers.size()>;

// The field's standard-normal value from the cells' corners at a point and their nodes' i.i.d. N(0, 1)
// values (value[4 l + i]: layer l's node i, in GridCorners' order), z_independent the device's own N(0, 1)
// draw.
inline double correlated_standard_normal(const ShadowingCorners& corners, const double* value,
                                         double z_independent) {
  double z = std::sqrt(kShadowingNuggetShare) * z_independent;
  for (size_t l = 0; l < corners.size(); ++l) {
    const GridCorners& c = corners[l];
    const double* v = value + 4 * l;
    const double f = c.weight[0] * v[0] + c.weight[1] * v[1] + c.weight[2] * v[2] + c.weight[3] * v[3];
    z += std::sqrt(kShadowingLayers[l].share) * f;
  }
  return z;
}

// The same at (x_m, y_m): node(layer, ix, iy) gives the i.i.d. N(0, 1) value of a layer's node.
template <class NodeValue>
double correlated_standard_normal(const ShadowingGrids& grids, double x_m, double y_m, NodeValue&& node,
                                  double z_independent) {
  ShadowingCorners corners;
  std::array<double, 4 * kShadowingLayers.size()> value;
  for (size_t l = 0; l < grids.size(); ++l) {
    const GridCorners& c = corners[l] = grids[l].corners(x_m, y_m);
    value[4 * l] = node(l, c.ix, c.iy);
    value[4 * l + 1] = node(l, c.ix + 1, c.iy);
    value[4 * l + 2] = node(l, c.ix + 1, c.iy + 1);
    value[4 * l + 3] = node(l, c.ix, c.iy + 1);
  }
  return correlated_standard_normal(corners, value.data(), z_independent);
}

// One layer's share of the covariance before its weight: the sum, over the nodes the cells of p and q
// share, of w_n(p) w_n(q) (1 at p = q; 0 when the cells share no corner).
double shared_node_weight(const ShadowingGrid& grid, double px_m, double py_m, double qx_m, double qy_m);

// The exact covariance (= correlation) of the field's values for two distinct devices at p and q, for one
// gateway's grids: the layers' shared nodes (the nugget is independent per device). 1 - kShadowingNuggetShare
// at p = q.
double shadowing_covariance(const ShadowingGrids& grids, double px_m, double py_m, double qx_m, double qy_m);

// The largest |z| correlated_standard_normal can give, per unit of the largest |node| and |z_independent|:
// sqrt(s_0) + sum_l sqrt(s_l) sum_i w_i, and sum_i w_i = 1 / |b| <= 2 (bilinear b >= 0 summing to 1, so
// |b| >= 1/2, at a cell's centre).
double correlated_shadowing_bound_factor();

}  // namespace citytwin::models::radio
