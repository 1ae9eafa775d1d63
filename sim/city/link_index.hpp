// What makes building the links cheap: a spatial index of the gateways and a distance cut-off, so that
// a device is tested against the gateways that could hear it instead of every gateway (the set-up was
// O(devices x gateways), ~40 ns a pair). Neither changes which links are kept, nor their gains: a pair
// is skipped only when no draw of the shadowing could lift it to the floor (the bounds below).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

#include "models/radio/path_loss.hpp"
#include "models/radio/shadowing.hpp"
#include "sim/core/rng.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::city {

// The largest |z| models::radio::gaussian_from_uniforms(u1, u2) = sqrt(-2 ln(1 - u1)) cos(2 pi u2) can
// give for the uniforms of a named stream (core::to_unit: multiples of 2^-53 below 1, so 1 - u1 >= 2^-53):
// sqrt(-2 ln 2^-53) = sqrt(106 ln 2) = 8.57168..., rounded up.
inline constexpr double kMaxStandardNormal = 8.5717;

struct PairFilter;

// The gateways of one technology bucketed in square cells (about one gateway per cell).
class GatewayGrid {
 public:
  GatewayGrid(const std::vector<scenario::Gateway>& gateways, scenario::Technology technology);

  // The radius of a disc holding count gateways on average (about one a cell).
  double radius_holding(double count) const { return cell_m_ * std::sqrt(count / std::numbers::pi); }

  // Appends to out (gateway, squared distance m^2) for every gateway of the technology within radius_m of
  // (x_m, y_m) (an infinite radius: all of them) and beyond inner_m (negative: none excluded) that
  // filter.passes, in the grid's cell order. With AVX-512 (vector: when
  // the processor has it) eight gateways at a time, with the same arithmetic and so the same pairs.
  void candidates(double x_m, double y_m, double radius_m, double inner_m, const PairFilter& filter,
                  std::vector<std::pair<uint32_t, double>>& out, bool vector = vector_available()) const;
  // Whether this processor runs candidates' AVX-512 path (AVX-512 F, DQ and CD).
  static bool vector_available();

 private:
  // Calls span(begin, end) for the runs of gateways (in cell order) of the cells within radius_m.
  template <class Span>
  void for_spans(double x_m, double y_m, double radius_m, Span&& span) const {
    if (cell_start_.size() < 2) return;
    const auto column = [&](double v, double origin, int cells) {
      const double c = std::floor((v - origin) / cell_m_);
      return c < 0.0 ? 0 : c >= cells - 1 ? cells - 1 : static_cast<int>(c);
    };
    const int x0 = column(x_m - radius_m, x0_m_, nx_), x1 = column(x_m + radius_m, x0_m_, nx_);
    const int y0 = column(y_m - radius_m, y0_m_, ny_), y1 = column(y_m + radius_m, y0_m_, ny_);
    if (x0 == 0 && y0 == 0 && x1 == nx_ - 1 && y1 == ny_ - 1) {  // every cell: one pass, in cell order
      span(0u, static_cast<uint32_t>(gateway_.size()));
      return;
    }
    for (int iy = y0; iy <= y1; ++iy) {  // a row's cells x0..x1 are consecutive in cell order: one run
      const size_t row = static_cast<size_t>(iy) * static_cast<size_t>(nx_);
      span(cell_start_[row + static_cast<size_t>(x0)], cell_start_[row + static_cast<size_t>(x1) + 1]);
    }
  }
  void candidates_scalar(uint32_t begin, uint32_t end, double x_m, double y_m, double r2, double inner2,
                         const PairFilter& filter, std::vector<std::pair<uint32_t, double>>& out) const;
  void candidates_avx512(double x_m, double y_m, double radius_m, double r2, double inner2,
                         const PairFilter& filter, std::vector<std::pair<uint32_t, double>>& out) const;

  double x0_m_ = 0.0, y0_m_ = 0.0, cell_m_ = 1.0;
  int nx_ = 1, ny_ = 1;
  std::vector<uint32_t> cell_start_;  // gateways of cell c: [cell_start_[c], cell_start_[c + 1])
  std::vector<uint32_t> gateway_;     // in cell order, with their positions
  std::vector<uint32_t> rank_;        // and their ranks among the technology's gateways
  std::vector<double> x_, y_;
};

// Where a link of one population can be kept. A link is kept when tx + G_gw - PL(d) - W - sigma z >=
// floor (W >= 0 the building loss, z the link's standard-normal shadowing draw), so it needs the draw to
// lift it by -sigma z >= PL(d) + W - L0 with L0 = tx + max G_gw - floor. PL is non-decreasing in d, hence
//   - beyond radius_m() (PL(d) > L0 + sigma kMaxStandardNormal) no link is ever kept;
//   - lift_z(d^2) <= (PL(d) - L0) / sigma is the least lift, in standard deviations, a link at distance d
//     needs before its building loss: where it and W / sigma leave a lift to find, ShadowingLiftBound below
//     tells from the draw's two hashes, without its logarithm and cosine, whether the draw can give it.
//     (A table over the squared distance: no square root and no division for a pair.)
// Margins (1e-6 dB on L0, 1e-9 relative on the radius) absorb the rounding of these bounds, so that a kept
// link is never skipped.
// A shadowing whose z is not one draw of the device's stream (the spatially correlated field,
// sim/city/shadowing_field.hpp) passes its own largest |z| as max_z and bound_draws false: the radius
// allows that lift, and lift_z is -inf throughout (no table), so every pair within the radius is a
// candidate (DeviceLinks bounds the field's lift on its nodes' hashes, ShadowingField::max_lifts).
class LinkCutoff {
 public:
  // max_distance_m: the farthest a device of the city can be from a gateway (the table of lift_z covers
  // the distances up to it or the radius, whichever is shorter; farther ones are computed).
  LinkCutoff(const models::radio::LogDistancePathLoss& path_loss, double max_loss_db, double sigma_db,
             double max_distance_m = INFINITY, double max_z = kMaxStandardNormal, bool bound_draws = true);

  double radius_m() const { return radius_m_; }
  double max_loss_db() const { return l0_db_; }  // L0 (with its margin)
  // The radius for a link that must come tighter_db closer than L0 (tighter_db >= 0): a threshold on the
  // link above the floor, or a building loss known.
  double radius_m(double tighter_db) const {
    if (!std::isfinite(radius_m_) || tighter_db <= 0.0) return radius_m_;
    return std::min(radius_m_,
                    path_loss_.distance_for_loss_m(l0_db_ - tighter_db + max_lift_db_) * (1.0 + 1e-9) + 1e-6);
  }
  // A lower bound of (PL(d) - L0) / sigma for d^2 = squared_distance_m2 (<= 0: no lift needed; -inf
  // without shadowing or without a table).
  // lift_z's table, for a loop that keeps it in registers: lift_z(d2) is z[d2 * per_bucket] where that
  // is below buckets, else lift_z_beyond(d2).
  struct Table {
    const float* z;
    double buckets;
    double per_bucket;
  };
  Table table() const { return {lift_z_.data(), static_cast<double>(lift_z_.size()), per_bucket_}; }
  double lift_z_beyond(double squared_distance_m2) const {
    const double d = std::max(std::sqrt(squared_distance_m2), path_loss_.reference_distance_m);
    const double loss =
        path_loss_.loss_from_log_db(std::log10(d / path_loss_.reference_distance_m), free_space_d0_db_);
    return (loss - l0_db_) / sigma_db_;
  }
  // The last bucket b whose z[b] <= limit_z (-1: none), from a table of the inverse (lift_z rises with the
  // bucket) on a grid of 1/256: at_least's buckets hold every such bucket and perhaps a few beyond,
  // at_most's lie among them, so that a bound built on the first never refuses a pair it should pass, and
  // one built on the second never passes one it should refuse (GatewayGrid::candidates' vector path).
  int64_t last_bucket_at_least(double limit_z) const;
  int64_t last_bucket_at_most(double limit_z) const;
  double lift_z(double squared_distance_m2) const {
    const double b = squared_distance_m2 * per_bucket_;
    return b < static_cast<double>(lift_z_.size()) ? static_cast<double>(lift_z_[static_cast<size_t>(b)])
                                                   : lift_z_beyond(squared_distance_m2);
  }

 private:
  models::radio::LogDistancePathLoss path_loss_;
  double free_space_d0_db_ = path_loss_.free_space_at_reference_db();
  double l0_db_ = 0.0, sigma_db_ = 0.0;
  double max_lift_db_ = 0.0;  // the largest lift the shadowing gives: sigma max_z (0 without shadowing)
  double radius_m_ = INFINITY;
  double per_bucket_ = 0.0;  // buckets per m^2; 0 leaves one bucket of -inf (no shadowing, no table)
  // sigma_db_: the shadowing's sigma (0 without shadowing or without a finite radius)
  // Per bucket of d^2, for the bucket's nearest distance, rounded down to a float (64 KB: the table stays
  // in the core's caches while a device's pairs are scanned).
  std::vector<float> lift_z_ = {-INFINITY};
  // inverse_[i]: the last bucket with z <= inverse_lo_ + i * inverse_step_ (-1: none).
  double inverse_lo_ = 0.0, inverse_step_ = 1.0;
  std::vector<int32_t> inverse_;
};

// Upper bounds of what a shadowing draw z = sqrt(-2 ln(1 - u1)) cos(2 pi u2)
// (models::radio::gaussian_from_uniforms) can lift a link by, -z, read from the two raw stream values
// (core::stream_value; u = to_unit(bits), the top 53 bits) by the top bits of each: 4,096 buckets of u1,
// each with the radius at its top, and 1,024 of u2, each with the largest -cos over it. A pair whose
// bound falls short of the lift it needs is skipped without the draw's logarithm and cosine; one that
// passes is drawn and judged exactly, so the bound decides only how much work is done, never which link
// is kept. Margins of 1e-12 on both tables absorb the rounding of the draw.
class ShadowingLiftBound {
 public:
  friend class GatewayGrid;     // candidates' vector path reads the tables
  friend class ShadowingField;  // and the correlated field's nodes'
  ShadowingLiftBound();
  // Whether the draw can give -z >= z_needed; false only when it surely cannot.
  bool can_lift(uint64_t u1_bits, uint64_t u2_bits, double z_needed) const {
    return radius_[u1_bits >> 52] * minus_cos_[u2_bits >> 54] >= z_needed;
  }
  // The same bound from u1 alone, whatever u2 (the largest -cos): false only when can_lift is false for
  // every u2 (a product with a positive factor is monotonic in the other, rounding included). Far pairs
  // need a lift that few radii give (exp(-z^2 / 2) of them), so most are refused before u2 is hashed.
  bool can_lift_any(uint64_t u1_bits, double z_needed) const {
    return radius_[u1_bits >> 52] * max_minus_cos_ >= z_needed;
  }
  // An upper bound of the draw's lift -z itself, whatever its sign (the correlated field sums its nodes'
  // bounds, ShadowingField::max_lifts): radius * -cos with the radius at the top of u1's bucket where the
  // bucket's largest -cos is >= 0, else at its bottom (R >= that and -cos <= a negative bound).
  double max_lift(uint64_t u1_bits, uint64_t u2_bits) const {
    const double minus_cos = minus_cos_[u2_bits >> 54];
    return minus_cos >= 0.0 ? radius_[u1_bits >> 52] * minus_cos : radius_low_[u1_bits >> 52] * minus_cos;
  }

 private:
  std::array<double, 4096> radius_{};
  std::array<double, 4096> radius_low_{};  // the radius at the bottom of the bucket, rounded down
  std::array<double, 1024> minus_cos_{};
  double max_minus_cos_ = 0.0;
  // For GatewayGrid::candidates' vector path: the largest radius of a u1 with m leading ones (m < 12: the
  // rows up to 4095 - 2^(11 - m); from 12 on, the last row), and the largest -cos over each sixteenth of u2
  // (the 64 rows of minus_cos_ its top four bits hold).
  std::array<double, 16> radius_by_ones_{};
  std::array<double, 16> minus_cos_by_sixteenth_{};
};

// Which pairs of a device are worth drawing (DeviceLinks, sim/city/device_links.hpp): those within the
// cut-off needing no lift, and those whose shadowing draw can lift them as far as they need
// (ShadowingLiftBound), the lift being lift_z(d^2) + extra_z (the building loss and any threshold above the
// floor, in sigmas). The draw of the gateway of rank r among its technology's gateways is the pair (2 r, 2 r
// + 1) of the device's stream shadow_key.
struct PairFilter {
  const LinkCutoff* cutoff;
  const ShadowingLiftBound* lift;
  uint64_t shadow_key;
  double extra_z;
  // Whether the pair of the gateway of rank `rank` at squared distance d2 passes (the scalar form of
  // GatewayGrid::candidates).
  bool passes(uint32_t rank, double d2) const {
    const double z = cutoff->lift_z(d2) + extra_z;
    if (!(z > 0.0)) return true;
    const uint64_t n0 = 2u * static_cast<uint64_t>(rank);
    // u1 is the pair's second value, u2 its first (standard_normal_draw's order); u2 hashed only for the
    // u1 that can give the lift.
    const uint64_t u1 = core::stream_value(shadow_key, n0 + 1);
    return lift->can_lift_any(u1, z) && lift->can_lift(u1, core::stream_value(shadow_key, n0), z);
  }
};

// A standard-normal draw of a named stream: models::radio::gaussian_from_uniforms(u1, u2) with u2 the
// stream's next value and u1 the one after it. (The draw was written gaussian_from_uniforms(rng.uniform(),
// rng.uniform()), whose order is the compiler's; GCC evaluates these arguments right to left, and that
// order is kept, now written out, so that every compiler draws the same links.)
inline double standard_normal_draw(core::Stream& rng) {
  const double u2 = rng.uniform();
  const double u1 = rng.uniform();
  return models::radio::gaussian_from_uniforms(u1, u2);
}

// The gains of a device's candidate links (DeviceLinks), dB before its transmit power:
//   gain = antenna_dbi[g] - PL(sqrt(d2)) - wall_loss_db - sigma_db z,
// z the standard-normal draw of the gateway's rank (standard_normal_draw on the stream (shadow_key, 2 rank);
// none without shadowing). The exact set-up draws ~190 M of them in the realistic 1 M city, where their
// logarithms and cosine were a quarter of its CPU.
struct LinkGains {
  const models::radio::LogDistancePathLoss* path_loss;
  const double* antenna_dbi;  // per gateway
  const uint32_t* rank;       // per gateway, among its technology's
  uint64_t shadow_key;
  double sigma_db;
  double wall_loss_db;

  double one(uint32_t gateway, double squared_distance_m2) const {
    return one(gateway, squared_distance_m2, path_loss->free_space_at_reference_db());
  }
  // The same, given path_loss->free_space_at_reference_db() (computed once per compute()).
  double one(uint32_t gateway, double squared_distance_m2, double free_space_at_reference_db) const {
    const double d = std::max(std::sqrt(squared_distance_m2), path_loss->reference_distance_m);
    const double loss = path_loss->loss_from_log_db(std::log10(d / path_loss->reference_distance_m),
                                                    free_space_at_reference_db);
    double gain = antenna_dbi[gateway] - loss - wall_loss_db;
    if (sigma_db > 0.0) {
      core::Stream rng(shadow_key, 2u * static_cast<uint64_t>(rank[gateway]));
      gain -= sigma_db * standard_normal_draw(rng);
    }
    return gain;
  }
  // gains[i] = one(candidates[i]) (gains resized). With AVX-512 and glibc's vector maths (libmvec; vector:
  // when available) eight at a time, in the same operations on the same values, but with libmvec's
  // logarithms and cosine (within 4 ulp) for the scalar libm's (within 1): a gain may then differ from
  // one()'s in its last bits (~1e-14 dB), far below the float a link's gain is kept as (~1e-5 dB).
  void compute(std::span<const std::pair<uint32_t, double>> candidates, std::vector<double>& gains,
               bool vector = vector_available()) const;
  // Whether compute's vector path runs on this processor (GatewayGrid's AVX-512, and libmvec linked).
  static bool vector_available();

 private:
  void compute_avx512(std::span<const std::pair<uint32_t, double>> candidates, double* gains) const;
};

// The positions of the k largest of gains (ties: the smaller position), in increasing position: a
// device's K strongest links (radio.receptions: strongest, strongest_only; sim/access/strongest_links.hpp).
void strongest_positions(std::span<const float> gains, uint32_t k, std::vector<uint32_t>& out);

}  // namespace citytwin::sim::city
