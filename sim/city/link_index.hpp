// What makes building the links cheap: a spatial index of the gateways and a distance cut-off, so that
// a device is tested against the gateways that could hear it instead of every gateway (the set-up was
// O(devices x gateways), ~40 ns a pair). Neither changes which links are kept, nor their gains: a pair
// is skipped only when no draw of the shadowing could lift it to the floor (proof in link_index.cpp).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "models/radio/path_loss.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::city {

// The largest |z| models::radio::gaussian_from_uniforms(u1, u2) = sqrt(-2 ln(1 - u1)) cos(2 pi u2) can
// give for the uniforms of a named stream (core::to_unit: multiples of 2^-53 below 1, so 1 - u1 >= 2^-53):
// sqrt(-2 ln 2^-53) = sqrt(106 ln 2) = 8.57168..., rounded up.
inline constexpr double kMaxStandardNormal = 8.5717;

// The gateways of one technology bucketed in square cells (about one gateway per cell).
class GatewayGrid {
 public:
  GatewayGrid(const std::vector<scenario::Gateway>& gateways, scenario::Technology technology);

  // Calls fn(gateway, squared distance m^2) for every gateway of the technology within radius_m of
  // (x_m, y_m) (an infinite radius: all of them), in no particular order.
  template <class Fn>
  void visit(double x_m, double y_m, double radius_m, Fn&& fn) const {
    if (cell_start_.size() < 2) return;
    const auto column = [&](double v, double origin, int cells) {
      const double c = std::floor((v - origin) / cell_m_);
      return c < 0.0 ? 0 : c >= cells - 1 ? cells - 1 : static_cast<int>(c);
    };
    const int x0 = column(x_m - radius_m, x0_m_, nx_), x1 = column(x_m + radius_m, x0_m_, nx_);
    const int y0 = column(y_m - radius_m, y0_m_, ny_), y1 = column(y_m + radius_m, y0_m_, ny_);
    const double r2 = radius_m * radius_m;
    for (int iy = y0; iy <= y1; ++iy) {
      for (int ix = x0; ix <= x1; ++ix) {
        const auto cell = static_cast<size_t>(iy) * static_cast<size_t>(nx_) + static_cast<size_t>(ix);
        for (uint32_t k = cell_start_[cell]; k < cell_start_[cell + 1]; ++k) {
          const double dx = x_[k] - x_m, dy = y_[k] - y_m;
          const double d2 = dx * dx + dy * dy;
          if (d2 <= r2) fn(gateway_[k], d2);
        }
      }
    }
  }

 private:
  double x0_m_ = 0.0, y0_m_ = 0.0, cell_m_ = 1.0;
  int nx_ = 1, ny_ = 1;
  std::vector<uint32_t> cell_start_;  // gateways of cell c: [cell_start_[c], cell_start_[c + 1])
  std::vector<uint32_t> gateway_;     // in cell order, with their positions
  std::vector<double> x_, y_;
};

// Where a link of one population can be kept. A link is kept when tx + G_gw - PL(d) - W - sigma z >=
// floor (W >= 0 the building loss, z the link's standard-normal shadowing draw), so it needs
// PL(d) <= L0 + sigma |z| with L0 = tx + max G_gw - floor. PL is non-decreasing in d, hence
//   - beyond radius_m() (PL(d) > L0 + sigma kMaxStandardNormal) no link is ever kept;
//   - with shadowing, |z| <= sqrt(-2 ln(1 - u1)) for the draw's first uniform u1, so a link at
//     distance d needs u1 >= min_u1(d) = 1 - exp(-((PL(d) - L0) / sigma)^2 / 2): a pair is skipped on
//     one hash of the stream, without the logarithm and cosine of the draw.
// Margins (1e-6 dB on L0, 1e-9 relative on the radius, 1e-12 on u1) absorb the rounding of these
// bounds, so that a kept link is never skipped.
class LinkCutoff {
 public:
  LinkCutoff(const models::radio::LogDistancePathLoss& path_loss, double max_loss_db, double sigma_db);

  double radius_m() const { return radius_m_; }
  // The smallest first uniform of the shadowing draw with which a link at distance_m can be kept.
  double min_u1(double distance_m) const {
    if (bucket_m_ <= 0.0) return 0.0;
    const double b = distance_m / bucket_m_;
    return b >= static_cast<double>(min_u1_.size()) ? 1.0 : min_u1_[static_cast<size_t>(b)];
  }

 private:
  double radius_m_ = INFINITY;
  double bucket_m_ = 0.0;       // 0: no table (no shadowing, or a path loss that is not monotonic)
  std::vector<double> min_u1_;  // per distance bucket, for the bucket's nearest distance
};

// Whether a shadowing draw gaussian_from_uniforms(u1, u2) = sqrt(-2 ln(1 - u1)) cos(2 pi u2) that must
// lift a link (z < 0, gain -= sigma z) by more than min_u1 allows can do it: u1 >= min_u1 (> 0), and
// cos(2 pi u2) < 0, i.e. u2 in (1/4, 3/4); outside [0.24, 0.76] the cosine is above 0.06, surely
// positive whatever its rounding. Which uniform the draw takes first is the compiler's order of
// evaluation of its arguments: callers try both.
inline bool shadowing_can_lift(double u1, double u2, double min_u1) {
  return u1 >= min_u1 && u2 >= 0.24 && u2 <= 0.76;
}

}  // namespace citytwin::sim::city
