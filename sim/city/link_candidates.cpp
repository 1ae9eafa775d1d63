// GatewayGrid::candidates: the pairs of a device worth drawing (PairFilter), one gateway at a time or, where
// the processor has AVX-512, eight. The vector path computes what the scalar one does, operation for
// operation (a product and a sum rounded apart, never fused; the same tables; the same integer hash), so
// the two keep the same pairs in the same order (tests/sim/link_index_test.cpp compares them).
// LinkGains::compute: the gains of the pairs kept, eight at a time the same way, with glibc's libmvec for
// the logarithms and the cosine.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/city/avx512.hpp"
#include "sim/city/link_index.hpp"

namespace citytwin::sim::city {

bool GatewayGrid::vector_available() {
#ifdef CITYTWIN_LINK_AVX512
  static const bool available = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                                __builtin_cpu_supports("avx512cd");
  return available;
#else
  return false;
#endif
}

void GatewayGrid::candidates(double x_m, double y_m, double radius_m, double inner_m,
                             const PairFilter& filter, std::vector<std::pair<uint32_t, double>>& out,
                             bool vector) const {
  const double r2 = radius_m * radius_m;
  const double inner2 = inner_m < 0.0 ? -1.0 : inner_m * inner_m;
  if (vector && vector_available()) return candidates_avx512(x_m, y_m, radius_m, r2, inner2, filter, out);
  for_spans(x_m, y_m, radius_m, [&](uint32_t begin, uint32_t end) {
    candidates_scalar(begin, end, x_m, y_m, r2, inner2, filter, out);
  });
}

void GatewayGrid::candidates_scalar(uint32_t begin, uint32_t end, double x_m, double y_m, double r2,
                                    double inner2, const PairFilter& filter,
                                    std::vector<std::pair<uint32_t, double>>& out) const {
  const double *xs = x_.data(), *ys = y_.data();
  const uint32_t *gateways = gateway_.data(), *ranks = rank_.data();
  for (uint32_t k = begin; k < end; ++k) {
    const double dx = xs[k] - x_m, dy = ys[k] - y_m;
    const double d2 = dx * dx + dy * dy;
    if (d2 <= r2 && d2 > inner2 && filter.passes(ranks[k], d2)) out.emplace_back(gateways[k], d2);
  }
}

#ifdef CITYTWIN_LINK_AVX512
// Eight gateways at a time. A pair's lift z = table.z[bucket] + extra_z is read as its bucket against
// thresholds found once per call in the inverse of the table (it rises with the bucket): a pair needs no
// lift when its bucket is at most LinkCutoff::last_bucket_at_most(-extra_z), and its draw can give one
// (ShadowingLiftBound::can_lift_any) only if its bucket is at most the last within the largest radius u1's
// leading ones allow: u1 with m leading ones (m < 12) lies in the radius table's rows up to
// 4095 - 2^(11 - m), and the table rises, so radius_[row] <= that row's. Those left are bounded again with
// u2's top four bits, and those still left (the near pairs and the rare large draws) judged one by one as
// PairFilter::passes judges them, on the lift and hashes already computed.
__attribute__((target("avx512f,avx512dq,avx512cd"))) void GatewayGrid::candidates_avx512(
    double x_m, double y_m, double radius_m, double r2, double inner2, const PairFilter& filter,
    std::vector<std::pair<uint32_t, double>>& out) const {
  // The runs of gateways first (a row of cells each), so that the thresholds below are found once a call.
  thread_local std::vector<std::pair<uint32_t, uint32_t>> runs;
  runs.clear();
  for_spans(x_m, y_m, radius_m, [](uint32_t begin, uint32_t end) {
    if (begin < end) runs.emplace_back(begin, end);
  });
  if (runs.empty()) return;
  const double *xs = x_.data(), *ys = y_.data();
  const uint32_t *gateways = gateway_.data(), *ranks = rank_.data();
  const LinkCutoff::Table table = filter.cutoff->table();
  const ShadowingLiftBound& lift = *filter.lift;
  alignas(64) int64_t by_ones[16];
  for (int m = 0; m < 16; ++m)  // (z + extra_z <= limit, whose rounding the margin absorbs.)
    by_ones[m] = filter.cutoff->last_bucket_at_least(lift.radius_by_ones_[m] * lift.max_minus_cos_ -
                                                     filter.extra_z + 1e-9);
  const __m512i by_ones_lo = _mm512_load_si512(by_ones), by_ones_hi = _mm512_load_si512(by_ones + 8);
  const __m512d radius_lo = _mm512_loadu_pd(lift.radius_by_ones_.data()),
                radius_hi = _mm512_loadu_pd(lift.radius_by_ones_.data() + 8),
                cos_lo = _mm512_loadu_pd(lift.minus_cos_by_sixteenth_.data()),
                cos_hi = _mm512_loadu_pd(lift.minus_cos_by_sixteenth_.data() + 8),
                extra_z = _mm512_set1_pd(filter.extra_z);
  const __m512i no_lift = _mm512_set1_epi64(filter.cutoff->last_bucket_at_most(-filter.extra_z - 1e-9));
  const __m512d x = _mm512_set1_pd(x_m), y = _mm512_set1_pd(y_m), radius2 = _mm512_set1_pd(r2),
                inside2 = _mm512_set1_pd(inner2), per_bucket = _mm512_set1_pd(table.per_bucket),
                buckets = _mm512_set1_pd(table.buckets), zero = _mm512_setzero_pd();
  // stream_value(key, n) = mix64(key + (n + 1) golden), for n = 2 rank + 1: key + (2 rank + 2) golden.
  const __m512i key = _mm512_set1_epi64(static_cast<long long>(filter.shadow_key)),
                golden = _mm512_set1_epi64(static_cast<long long>(core::kGolden)), one = _mm512_set1_epi64(1),
                two = _mm512_set1_epi64(2), twelve = _mm512_set1_epi64(12), ones = _mm512_set1_epi64(-1);
  alignas(64) double d2_lanes[8], z_lanes[8];
  alignas(64) uint64_t u1_lanes[8], u2_lanes[8];
  for (const auto& [begin, end] : runs) {
    for (uint32_t k = begin; k < end; k += 8) {
      const unsigned left = end - k;
      const __mmask8 lanes =
          left >= 8 ? static_cast<__mmask8>(0xff) : static_cast<__mmask8>((1u << left) - 1u);
      const __m512d dx = _mm512_sub_pd(_mm512_maskz_loadu_pd(lanes, xs + k), x);
      const __m512d dy = _mm512_sub_pd(_mm512_maskz_loadu_pd(lanes, ys + k), y);
      const __m512d d2 = _mm512_add_pd(_mm512_mul_pd(dx, dx), _mm512_mul_pd(dy, dy));
      const __mmask8 within = _mm512_mask_cmp_pd_mask(_mm512_mask_cmp_pd_mask(lanes, d2, radius2, _CMP_LE_OQ),
                                                      d2, inside2, _CMP_GT_OQ);
      if (within == 0) continue;
      const __m512d bucket = _mm512_mul_pd(d2, per_bucket);
      if (_mm512_mask_cmp_pd_mask(within, bucket, buckets, _CMP_LT_OQ) != within) {
        // beyond the table (farther than the city's extent): these eight one by one
        _mm512_store_pd(d2_lanes, d2);
        for (unsigned i = 0; i < 8; ++i)
          if ((within >> i) & 1u && filter.passes(ranks[k + i], d2_lanes[i]))
            out.emplace_back(gateways[k + i], d2_lanes[i]);
        continue;
      }
      const __m512i index = _mm512_cvttpd_epi64(bucket);  // truncated, as static_cast<size_t> of a bucket
      const __mmask8 needs = _mm512_mask_cmpgt_epi64_mask(within, index, no_lift);
      __mmask8 keep = within & static_cast<__mmask8>(~needs);
      if (needs != 0) {
        const __m512i rank = _mm512_cvtepu32_epi64(
            _mm512_castsi512_si256(_mm512_maskz_loadu_epi32(static_cast<__mmask16>(needs), ranks + k)));
        const __m512i n1_plus_1 = _mm512_add_epi64(_mm512_slli_epi64(rank, 1), two);
        const __m512i u1 = mix64_x8(_mm512_add_epi64(key, _mm512_mullo_epi64(n1_plus_1, golden)));
        const __m512i leading_ones = _mm512_min_epu64(_mm512_lzcnt_epi64(_mm512_xor_si512(u1, ones)), twelve);
        const __m512i last = _mm512_permutex2var_epi64(by_ones_lo, leading_ones, by_ones_hi);
        __mmask8 may = _mm512_mask_cmple_epi64_mask(needs, index, last);
        if (may != 0) {
          // The pairs u1 leaves: u2 bounds them too (radius_[row] * minus_cos_[row2] <= the product of the
          // two bounds whenever it is positive, as a lift needs), with the lift read from the table.
          const __m512d z = _mm512_add_pd(
              _mm512_cvtps_pd(_mm512_mask_i64gather_ps(_mm256_setzero_ps(), may, index, table.z, 4)),
              extra_z);
          const __m512i u2 =
              mix64_x8(_mm512_add_epi64(key, _mm512_mullo_epi64(_mm512_sub_epi64(n1_plus_1, one), golden)));
          const __m512d bound =
              _mm512_mul_pd(_mm512_permutex2var_pd(radius_lo, leading_ones, radius_hi),
                            _mm512_permutex2var_pd(cos_lo, _mm512_srli_epi64(u2, 60), cos_hi));
          // (A pair the grid of the inverse sent here with no lift to ask, !(z > 0), goes on to be kept.)
          may = _mm512_mask_cmp_pd_mask(may, bound, z, _CMP_GE_OQ) |
                _mm512_mask_cmp_pd_mask(may, z, zero, _CMP_NGT_UQ);
          if (may != 0) {  // PairFilter::passes from here, on the lift and hashes already computed
            _mm512_store_pd(z_lanes, z);
            _mm512_store_si512(u1_lanes, u1);
            _mm512_store_si512(u2_lanes, u2);
            for (; may != 0; may &= static_cast<__mmask8>(may - 1)) {
              const unsigned i = static_cast<unsigned>(__builtin_ctz(may));
              const double zi = z_lanes[i];
              if (!(zi > 0.0) ||
                  (lift.can_lift_any(u1_lanes[i], zi) && lift.can_lift(u1_lanes[i], u2_lanes[i], zi)))
                keep |= static_cast<__mmask8>(1u << i);
            }
          }
        }
      }
      if (keep == 0) continue;
      _mm512_store_pd(d2_lanes, d2);
      for (; keep != 0; keep &= static_cast<__mmask8>(keep - 1)) {
        const unsigned i = static_cast<unsigned>(__builtin_ctz(keep));
        out.emplace_back(gateways[k + i], d2_lanes[i]);
      }
    }
  }
}
#else
void GatewayGrid::candidates_avx512(double x_m, double y_m, double radius_m, double r2, double inner2,
                                    const PairFilter& filter,
                                    std::vector<std::pair<uint32_t, double>>& out) const {
  for_spans(x_m, y_m, radius_m, [&](uint32_t begin, uint32_t end) {
    candidates_scalar(begin, end, x_m, y_m, r2, inner2, filter, out);
  });
}
#endif

bool LinkGains::vector_available() {
#ifdef CITYTWIN_LINK_GAINS_AVX512
  return GatewayGrid::vector_available();
#else
  return false;
#endif
}

void LinkGains::compute(std::span<const std::pair<uint32_t, double>> candidates, std::vector<double>& gains,
                        bool vector) const {
  gains.resize(candidates.size());
  if (vector && vector_available()) return compute_avx512(candidates, gains.data());
  const double free_space_d0_db = path_loss->free_space_at_reference_db();
  for (size_t i = 0; i < candidates.size(); ++i)
    gains[i] = one(candidates[i].first, candidates[i].second, free_space_d0_db);
}

#ifdef CITYTWIN_LINK_GAINS_AVX512
// one() eight at a time: its operations in its order (std::max(d, d0) as max_pd: no NaN here; to_unit as
// the top 53 bits converted exactly and scaled by 2^-53; the draw standard_normal_x8's), only the three
// transcendental functions libmvec's.
__attribute__((target("avx512f,avx512dq"))) void LinkGains::compute_avx512(
    std::span<const std::pair<uint32_t, double>> candidates, double* gains) const {
  const __m512d d0 = _mm512_set1_pd(path_loss->reference_distance_m),
                l0 = _mm512_set1_pd(path_loss->reference_loss_db),
                ten_n = _mm512_set1_pd(10.0 * path_loss->exponent),
                fs0 = _mm512_set1_pd(path_loss->free_space_at_reference_db()), twenty = _mm512_set1_pd(20.0),
                wall = _mm512_set1_pd(wall_loss_db), sigma = _mm512_set1_pd(sigma_db);
  const __m512i key = _mm512_set1_epi64(static_cast<long long>(shadow_key)),
                golden = _mm512_set1_epi64(static_cast<long long>(core::kGolden)),
                one_i = _mm512_set1_epi64(1);
  alignas(64) double d2_lanes[8], antenna_lanes[8];
  alignas(64) uint64_t rank_lanes[8];
  for (size_t at = 0; at < candidates.size(); at += 8) {
    const size_t lanes = std::min<size_t>(8, candidates.size() - at);
    for (size_t i = 0; i < 8; ++i) {  // lanes past the end: a gateway at 1 m, rank 0 (computed, not stored)
      const bool in = i < lanes;
      const uint32_t g = in ? candidates[at + i].first : 0u;
      d2_lanes[i] = in ? candidates[at + i].second : 1.0;
      antenna_lanes[i] = in ? antenna_dbi[g] : 0.0;
      rank_lanes[i] = in ? rank[g] : 0u;
    }
    const __m512d d = _mm512_max_pd(_mm512_sqrt_pd(_mm512_load_pd(d2_lanes)), d0);
    const __m512d x = _ZGVeN8v_log10(_mm512_div_pd(d, d0));  // loss_from_log_db: the larger line
    const __m512d loss = _mm512_max_pd(_mm512_add_pd(l0, _mm512_mul_pd(ten_n, x)),
                                       _mm512_add_pd(fs0, _mm512_mul_pd(twenty, x)));
    __m512d gain = _mm512_sub_pd(_mm512_sub_pd(_mm512_load_pd(antenna_lanes), loss), wall);
    if (sigma_db > 0.0) {
      // u2 = stream_value(key, 2 rank) = mix64(key + (2 rank + 1) golden), u1 the next value
      const __m512i n_plus_1 = _mm512_add_epi64(_mm512_slli_epi64(_mm512_load_si512(rank_lanes), 1), one_i);
      const __m512i u2_bits = mix64_x8(_mm512_add_epi64(key, _mm512_mullo_epi64(n_plus_1, golden)));
      const __m512i u1_bits =
          mix64_x8(_mm512_add_epi64(key, _mm512_mullo_epi64(_mm512_add_epi64(n_plus_1, one_i), golden)));
      gain = _mm512_sub_pd(gain, _mm512_mul_pd(sigma, standard_normal_x8(u1_bits, u2_bits)));
    }
    _mm512_mask_storeu_pd(gains + at, static_cast<__mmask8>((1u << lanes) - 1u), gain);
  }
}
#else
void LinkGains::compute_avx512(std::span<const std::pair<uint32_t, double>> candidates, double* gains) const {
  const double free_space_d0_db = path_loss->free_space_at_reference_db();
  for (size_t i = 0; i < candidates.size(); ++i)
    gains[i] = one(candidates[i].first, candidates[i].second, free_space_d0_db);
}
#endif

}  // namespace citytwin::sim::city
