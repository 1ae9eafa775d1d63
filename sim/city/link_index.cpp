#include "sim/city/link_index.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

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
  rank_.resize(mine.size());
  x_.resize(mine.size());
  y_.resize(mine.size());
  for (uint32_t r = 0; r < mine.size(); ++r) {
    const uint32_t g = mine[r];
    const uint32_t k = fill[cell_of(g)]++;
    gateway_[k] = g;
    rank_[k] = r;
    x_[k] = gateways[g].x_m;
    y_[k] = gateways[g].y_m;
  }
}

LinkCutoff::LinkCutoff(const models::radio::LogDistancePathLoss& path_loss, double max_loss_db,
                       double sigma_db, double max_distance_m, double max_z, bool bound_draws)
    : path_loss_(path_loss) {
  // Only a loss that grows with distance bounds the distance (the loader requires exponent > 0).
  if (!(path_loss.exponent > 0.0) || !(path_loss.reference_distance_m > 0.0) || !std::isfinite(max_loss_db))
    return;
  l0_db_ = max_loss_db + 1e-6;
  max_lift_db_ = std::max(0.0, sigma_db) * max_z;
  const double reach_db = l0_db_ + max_lift_db_;
  radius_m_ = path_loss.distance_for_loss_m(reach_db) * (1.0 + 1e-9) + 1e-6;
  if (!std::isfinite(radius_m_) || !(sigma_db > 0.0) || !bound_draws) return;
  // 16,384 buckets of d^2 over the city's span: 3.3 m wide at 12 km in a 36 km span.
  constexpr size_t kBuckets = 16384;
  const double span_m = std::max(std::min(radius_m_, max_distance_m), 1.0);
  per_bucket_ = static_cast<double>(kBuckets) / (span_m * span_m);
  sigma_db_ = sigma_db;
  lift_z_.resize(kBuckets);
  // The bucket's nearest distance has its smallest loss (PL is non-decreasing): the least it needs.
  for (size_t b = 0; b < kBuckets; ++b) {
    const double z = (path_loss.loss_db(std::sqrt(static_cast<double>(b) / per_bucket_)) - l0_db_) / sigma_db;
    float f = static_cast<float>(z);
    if (static_cast<double>(f) > z) f = std::nextafter(f, -INFINITY);
    lift_z_[b] = f;
  }
  // The inverse on a grid from the least finite z (no lower than -64) to the largest.
  const auto first_finite =
      std::find_if(lift_z_.begin(), lift_z_.end(), [](float v) { return std::isfinite(v); });
  if (first_finite == lift_z_.end()) return;
  inverse_lo_ = std::max(-64.0, static_cast<double>(*first_finite));
  const double hi = static_cast<double>(lift_z_.back());
  inverse_step_ = std::max(1.0 / 256.0, (hi - inverse_lo_) / 65536.0);
  inverse_.resize(static_cast<size_t>(std::ceil((hi - inverse_lo_) / inverse_step_)) + 1);
  int64_t last = -1;
  for (size_t i = 0; i < inverse_.size(); ++i) {
    const double v = inverse_lo_ + static_cast<double>(i) * inverse_step_;
    while (last + 1 < static_cast<int64_t>(lift_z_.size()) &&
           static_cast<double>(lift_z_[static_cast<size_t>(last + 1)]) <= v)
      ++last;
    inverse_[i] = static_cast<int32_t>(last);
  }
}

int64_t LinkCutoff::last_bucket_at_least(double limit_z) const {
  const auto buckets = static_cast<int64_t>(lift_z_.size());
  if (inverse_.empty())  // one bucket (no shadowing): exact
    return static_cast<double>(lift_z_[0]) <= limit_z ? 0 : -1;
  if (!(limit_z < static_cast<double>(lift_z_.back()))) return buckets - 1;  // every bucket
  // (limit_z below the grid: the buckets at most its lowest point hold those below limit_z.)
  const double at = std::max(0.0, std::ceil((limit_z - inverse_lo_) / inverse_step_));
  auto i = static_cast<size_t>(at);
  if (inverse_lo_ + static_cast<double>(i) * inverse_step_ < limit_z) ++i;  // a grid point at or above it
  return i < inverse_.size() ? inverse_[i] : buckets - 1;
}

int64_t LinkCutoff::last_bucket_at_most(double limit_z) const {
  const auto buckets = static_cast<int64_t>(lift_z_.size());
  if (std::isnan(limit_z)) return -1;
  if (inverse_.empty()) return static_cast<double>(lift_z_[0]) <= limit_z ? 0 : -1;
  if (!(limit_z < static_cast<double>(lift_z_.back()))) return buckets - 1;
  if (limit_z < inverse_lo_) return -1;
  auto i = static_cast<size_t>(std::floor((limit_z - inverse_lo_) / inverse_step_));
  while (i > 0 && inverse_lo_ + static_cast<double>(i) * inverse_step_ > limit_z) --i;  // at or below it
  if (i >= inverse_.size()) i = inverse_.size() - 1;
  return inverse_[i];
}

ShadowingLiftBound::ShadowingLiftBound() {
  // u1 in [i / 4096, (i + 1) / 4096): sqrt(-2 ln(1 - u1)) grows with u1, largest at the top; the last
  // bucket's top is the largest uniform, 1 - 2^-53 (kMaxStandardNormal).
  const double n = static_cast<double>(radius_.size());
  for (size_t i = 0; i + 1 < radius_.size(); ++i)
    radius_[i] = std::sqrt(-2.0 * std::log1p(-(static_cast<double>(i) + 1.0) / n)) * (1.0 + 1e-12) + 1e-12;
  radius_.back() = kMaxStandardNormal;
  for (size_t i = 0; i < radius_low_.size(); ++i)
    radius_low_[i] =
        std::max(0.0, std::sqrt(-2.0 * std::log1p(-static_cast<double>(i) / n)) * (1.0 - 1e-12) - 1e-12);
  // u2 in [j / 1024, (j + 1) / 1024): -cos(2 pi u2) rises on [0, 1/2] and falls on [1/2, 1], so its
  // largest value is 1 in the bucket holding 1/2, and at the end nearer 1/2 in the others.
  const double m = static_cast<double>(minus_cos_.size());
  for (size_t j = 0; j < minus_cos_.size(); ++j) {
    const double lo = static_cast<double>(j) / m, hi = (static_cast<double>(j) + 1.0) / m;
    const double nearest = hi <= 0.5 ? hi : lo >= 0.5 ? lo : 0.5;
    minus_cos_[j] = -std::cos(2.0 * std::numbers::pi * nearest) + 1e-12;
    max_minus_cos_ = std::max(max_minus_cos_, minus_cos_[j]);
  }
  for (size_t ones = 0; ones < 16; ++ones) {
    radius_by_ones_[ones] = radius_[ones < 12 ? 4095u - (size_t{1} << (11 - ones)) : 4095u];
    const auto* rows = minus_cos_.data() + 64 * ones;
    minus_cos_by_sixteenth_[ones] = *std::max_element(rows, rows + 64);
  }
}

void strongest_positions(std::span<const float> gains, uint32_t k, std::vector<uint32_t>& out) {
  const auto n = static_cast<uint32_t>(gains.size());
  out.resize(std::min(n, k));
  std::iota(out.begin(), out.end(), 0u);
  if (n <= k || k == 0) return;
  // One pass in link order keeping the k strongest so far (a strict order: the larger gain, ties to the
  // smaller position). A later link has the larger position, so it displaces the weakest kept only with a
  // larger gain; the weakest is found again only then (~k ln(n / k) times). Was nth_element over every
  // link's position: an index array and indirect comparisons, 2.3 s serial for the realistic 1 M city.
  const auto weaker = [&](uint32_t a, uint32_t b) {  // a weaker than b
    return gains[a] < gains[b] || (gains[a] == gains[b] && a > b);
  };
  auto weakest = std::min_element(out.begin(), out.end(), weaker);
  for (uint32_t p = k; p < n; ++p) {
    if (!(gains[p] > gains[*weakest])) continue;
    *weakest = p;
    weakest = std::min_element(out.begin(), out.end(), weaker);
  }
  std::sort(out.begin(), out.end());
}

}  // namespace citytwin::sim::city
