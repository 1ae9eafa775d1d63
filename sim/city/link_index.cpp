#include "sim/city/link_index.hpp"

#include <algorithm>
#include <limits>

namespace citytwin::sim::city {

GatewayGrid::GatewayGrid(const std::vector<scenario::Gateway>& gateways, scenario::Technology technology) {
  std::vector<uint32_t> mine;
  double x_max = -std::numeric_limits<double>::infinity(), y_max = x_max;
  x0_m_ = y0_m_ = std::numeric_limits<double>::infinity();
  for (uint32_t g = 0; g < gateways.size(); ++g) {
    if (gateways[g].technology != technology) continue;
    mine.push_back(g);
    x0_m_ = std::min(x0_m_, gateways[g].x_m);
    y0_m_ = std::min(y0_m_, gateways[g].y_m);
    x_max = std::max(x_max, gateways[g].x_m);
    y_max = std::max(y_max, gateways[g].y_m);
  }
  if (mine.empty()) return;
  const double width = x_max - x0_m_, height = y_max - y0_m_;
  // About one gateway per cell (a line of gateways: cells along it), never more than ~4 M cells.
  const double area = std::max(width, 1.0) * std::max(height, 1.0);
  cell_m_ =
      std::max({std::sqrt(area / static_cast<double>(mine.size())), 1.0, std::max(width, height) / 2048.0});
  nx_ = static_cast<int>(width / cell_m_) + 1;
  ny_ = static_cast<int>(height / cell_m_) + 1;
  const size_t cells = static_cast<size_t>(nx_) * static_cast<size_t>(ny_);
  const auto cell_of = [&](uint32_t g) {
    const auto ix = std::min(nx_ - 1, static_cast<int>((gateways[g].x_m - x0_m_) / cell_m_));
    const auto iy = std::min(ny_ - 1, static_cast<int>((gateways[g].y_m - y0_m_) / cell_m_));
    return static_cast<size_t>(iy) * static_cast<size_t>(nx_) + static_cast<size_t>(ix);
  };
  cell_start_.assign(cells + 1, 0);
  for (uint32_t g : mine) ++cell_start_[cell_of(g) + 1];
  for (size_t c = 0; c < cells; ++c) cell_start_[c + 1] += cell_start_[c];
  std::vector<uint32_t> fill(cell_start_.begin(), cell_start_.end() - 1);
  gateway_.resize(mine.size());
  x_.resize(mine.size());
  y_.resize(mine.size());
  for (uint32_t g : mine) {
    const uint32_t k = fill[cell_of(g)]++;
    gateway_[k] = g;
    x_[k] = gateways[g].x_m;
    y_[k] = gateways[g].y_m;
  }
}

LinkCutoff::LinkCutoff(const models::radio::LogDistancePathLoss& path_loss, double max_loss_db,
                       double sigma_db) {
  // Only a loss that grows with distance bounds the distance (the loader requires exponent > 0).
  if (!(path_loss.exponent > 0.0) || !(path_loss.reference_distance_m > 0.0) || !std::isfinite(max_loss_db))
    return;
  const double l0_db = max_loss_db + 1e-6;
  const double reach_db = l0_db + std::max(0.0, sigma_db) * kMaxStandardNormal;
  radius_m_ = path_loss.distance_for_loss_m(reach_db) * (1.0 + 1e-9) + 1e-6;
  if (!std::isfinite(radius_m_) || !(sigma_db > 0.0)) return;
  constexpr size_t kBuckets = 16384;
  bucket_m_ = radius_m_ / static_cast<double>(kBuckets);
  min_u1_.resize(kBuckets);
  for (size_t b = 0; b < kBuckets; ++b) {
    // The bucket's nearest distance has its smallest loss (PL is non-decreasing): the least it needs.
    const double needed_db = path_loss.loss_db(static_cast<double>(b) * bucket_m_) - l0_db;
    const double z = needed_db / sigma_db;
    min_u1_[b] = needed_db <= 0.0 ? 0.0 : std::max(0.0, -std::expm1(-0.5 * z * z) - 1e-12);
  }
}

}  // namespace citytwin::sim::city
