#include "sim/city/shadowing_field.hpp"

#include <algorithm>
#include <cmath>

#include "models/radio/shadowing.hpp"
#include "sim/city/avx512.hpp"
#include "sim/city/link_index.hpp"
#include "sim/core/rng.hpp"

namespace citytwin::sim::city {

ShadowingField::ShadowingField(uint64_t seed, const std::vector<scenario::Gateway>& gateways,
                               double correlation_distance_m) {
  gateways_.reserve(gateways.size());
  for (size_t g = 0; g < gateways.size(); ++g) {
    const uint64_t id = gateways[g].name.empty() ? g : core::purpose_tag(gateways[g].name);
    core::Stream rng(seed, "shadowing field", id);
    Gateway field;
    for (size_t l = 0; l < field.grids.size(); ++l) {
      const double u_angle = rng.uniform(), u_shift_u = rng.uniform(), u_shift_v = rng.uniform();
      field.grids[l] = models::radio::place_shadowing_grid(
          models::radio::kShadowingLayers[l].spacing * correlation_distance_m, u_angle, u_shift_u, u_shift_v);
      field.node_key[l] = rng.next_u64();
    }
    gateways_.push_back(field);
    for (size_t l = 0; l < field.grids.size(); ++l) {
      const models::radio::ShadowingGrid& grid = field.grids[l];
      LayerArrays& layer = layers_[l];
      layer.cos_angle.push_back(grid.cos_angle);
      layer.sin_angle.push_back(grid.sin_angle);
      layer.side_m.push_back(grid.side_m);
      layer.shift_u.push_back(grid.shift_u);
      layer.shift_v.push_back(grid.shift_v);
      layer.node_key.push_back(field.node_key[l]);
    }
  }
}

namespace {
// sqrt(share) of each layer (models::radio::correlated_standard_normal's factors).
const auto kSqrtShare = [] {
  std::array<double, models::radio::kShadowingLayers.size()> root{};
  for (size_t l = 0; l < root.size(); ++l) root[l] = std::sqrt(models::radio::kShadowingLayers[l].share);
  return root;
}();

constexpr size_t kNodesPerLink = 4 * models::radio::kShadowingLayers.size();
// A cell's corners from its (ix, iy), in GridCorners' order.
constexpr std::array<int64_t, 4> kDx{0, 1, 1, 0}, kDy{0, 0, 1, 1};

// A stream key per node: the layer's key mixed with ix, then with iy (SplitMix64's finaliser, as
// core::stream_key mixes its parts); u2 its first value, u1 its second, as standard_normal_draw.
uint64_t node_stream_key(uint64_t layer_key, int64_t ix, int64_t iy) {
  return core::mix64(core::mix64(layer_key + static_cast<uint64_t>(ix) * core::kGolden) +
                     static_cast<uint64_t>(iy) * core::kGolden);
}
}  // namespace

double ShadowingField::node(uint32_t gateway, size_t layer, int64_t ix, int64_t iy) const {
  core::Stream rng(node_stream_key(gateways_[gateway].node_key[layer], ix, iy), uint64_t{0});
  return standard_normal_draw(rng);
}

double ShadowingField::z(uint32_t gateway, double x_m, double y_m, double z_independent) const {
  return models::radio::correlated_standard_normal(
      gateways_[gateway].grids, x_m, y_m,
      [&](size_t layer, int64_t ix, int64_t iy) { return node(gateway, layer, ix, iy); }, z_independent);
}

void ShadowingField::max_lifts(std::span<const std::pair<uint32_t, double>> links, double x_m, double y_m,
                               const ShadowingLiftBound& lift, std::vector<double>& out, bool vector) const {
  out.resize(links.size());
#ifdef CITYTWIN_LINK_AVX512
  if (vector && GatewayGrid::vector_available())
    return walk_avx512(links, x_m, y_m, &lift, out.data(), nullptr);
#else
  (void)vector;
#endif
  for (size_t i = 0; i < links.size(); ++i) {
    const Gateway& field = gateways_[links[i].first];
    double bound = 0.0;
    for (size_t l = 0; l < field.grids.size(); ++l) {
      const models::radio::GridCorners c = field.grids[l].corners(x_m, y_m);
      double layer = 0.0;
      for (size_t k = 0; k < 4; ++k) {
        const uint64_t key = node_stream_key(field.node_key[l], c.ix + kDx[k], c.iy + kDy[k]);
        layer += c.weight[k] * lift.max_lift(core::stream_value(key, 1), core::stream_value(key, 0));
      }
      bound += kSqrtShare[l] * layer;
    }
    out[i] = bound;
  }
}

void ShadowingField::hash_nodes(std::span<const std::pair<uint32_t, double>> links, double x_m, double y_m,
                                Nodes& nodes, bool vector) const {
  nodes.corners.resize(links.size());
  nodes.u1_bits.resize(links.size() * kNodesPerLink);
  nodes.u2_bits.resize(links.size() * kNodesPerLink);
#ifdef CITYTWIN_LINK_AVX512
  if (vector && GatewayGrid::vector_available())
    return walk_avx512(links, x_m, y_m, nullptr, nullptr, &nodes);
#else
  (void)vector;
#endif
  size_t at = 0;
  for (size_t i = 0; i < links.size(); ++i) {
    const Gateway& field = gateways_[links[i].first];
    for (size_t l = 0; l < field.grids.size(); ++l) {
      const models::radio::GridCorners& c = nodes.corners[i][l] = field.grids[l].corners(x_m, y_m);
      for (size_t k = 0; k < 4; ++k, ++at) {
        const uint64_t key = node_stream_key(field.node_key[l], c.ix + kDx[k], c.iy + kDy[k]);
        nodes.u2_bits[at] = core::stream_value(key, 0);
        nodes.u1_bits[at] = core::stream_value(key, 1);
      }
    }
  }
}

#ifdef CITYTWIN_LINK_AVX512
// The scalar loops eight links at a time: ShadowingGrid::corners' operations in its order (std::floor as
// a rounding toward -inf, std::clamp as a max and a min: no NaN here), the same integer hashes, the
// bound's products and sums in the scalar order, the tables read by gathers. Lanes past the end take
// gateway 0 (computed, not stored).
__attribute__((target("avx512f,avx512dq"))) void ShadowingField::walk_avx512(
    std::span<const std::pair<uint32_t, double>> links, double x_m, double y_m,
    const ShadowingLiftBound* lift, double* out, Nodes* nodes) const {
  constexpr size_t kLayers = models::radio::kShadowingLayers.size();
  const bool store_nodes = nodes != nullptr;  // else the bounds
  const __m512d x = _mm512_set1_pd(x_m), y = _mm512_set1_pd(y_m), zero = _mm512_setzero_pd(),
                one = _mm512_set1_pd(1.0), limit = _mm512_set1_pd(0x1.0p62),
                minus_limit = _mm512_set1_pd(-0x1.0p62);
  const __m512i golden = _mm512_set1_epi64(static_cast<long long>(core::kGolden)),
                two_golden = _mm512_set1_epi64(static_cast<long long>(2 * core::kGolden));
  alignas(64) uint32_t gateway_lanes[8];
  alignas(64) int64_t ix_lanes[8], iy_lanes[8];
  alignas(64) double weight_lanes[4][8];
  alignas(64) uint64_t u1_lanes[4][8], u2_lanes[4][8];
  for (size_t at = 0; at < links.size(); at += 8) {
    const size_t lanes = std::min<size_t>(8, links.size() - at);
    for (size_t i = 0; i < 8; ++i) gateway_lanes[i] = i < lanes ? links[at + i].first : 0u;
    const __m256i gw = _mm256_load_si256(reinterpret_cast<const __m256i*>(gateway_lanes));
    __m512d bound = zero;
    for (size_t l = 0; l < kLayers; ++l) {
      const LayerArrays& arrays = layers_[l];
      const __m512d cos_a = _mm512_i32gather_pd(gw, arrays.cos_angle.data(), 8),
                    sin_a = _mm512_i32gather_pd(gw, arrays.sin_angle.data(), 8),
                    side = _mm512_i32gather_pd(gw, arrays.side_m.data(), 8),
                    shift_u = _mm512_i32gather_pd(gw, arrays.shift_u.data(), 8),
                    shift_v = _mm512_i32gather_pd(gw, arrays.shift_v.data(), 8);
      const __m512i layer_key = _mm512_i32gather_epi64(gw, arrays.node_key.data(), 8);
      const __m512d minus_sin = _mm512_xor_pd(sin_a, _mm512_set1_pd(-0.0));  // -sin_angle
      const __m512d u = _mm512_add_pd(
          _mm512_div_pd(_mm512_add_pd(_mm512_mul_pd(cos_a, x), _mm512_mul_pd(sin_a, y)), side), shift_u);
      const __m512d v = _mm512_add_pd(
          _mm512_div_pd(_mm512_add_pd(_mm512_mul_pd(minus_sin, x), _mm512_mul_pd(cos_a, y)), side), shift_v);
      const __m512d floor_u = _mm512_roundscale_pd(u, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC),
                    floor_v = _mm512_roundscale_pd(v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
      const __m512i ix = _mm512_cvttpd_epi64(_mm512_min_pd(_mm512_max_pd(floor_u, minus_limit), limit)),
                    iy = _mm512_cvttpd_epi64(_mm512_min_pd(_mm512_max_pd(floor_v, minus_limit), limit));
      const __m512d fu = _mm512_min_pd(_mm512_max_pd(_mm512_sub_pd(u, floor_u), zero), one),
                    fv = _mm512_min_pd(_mm512_max_pd(_mm512_sub_pd(v, floor_v), zero), one);
      const __m512d gu = _mm512_sub_pd(one, fu), gv = _mm512_sub_pd(one, fv);
      const __m512d b[4] = {_mm512_mul_pd(gu, gv), _mm512_mul_pd(fu, gv), _mm512_mul_pd(fu, fv),
                            _mm512_mul_pd(gu, fv)};
      const __m512d norm = _mm512_sqrt_pd(
          _mm512_add_pd(_mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(b[0], b[0]), _mm512_mul_pd(b[1], b[1])),
                                      _mm512_mul_pd(b[2], b[2])),
                        _mm512_mul_pd(b[3], b[3])));
      __m512d layer = zero;
      for (size_t k = 0; k < 4; ++k) {
        const __m512d w = _mm512_div_pd(b[k], norm);
        const __m512i nx = _mm512_add_epi64(ix, _mm512_set1_epi64(kDx[k])),
                      ny = _mm512_add_epi64(iy, _mm512_set1_epi64(kDy[k]));
        const __m512i key =
            mix64_x8(_mm512_add_epi64(mix64_x8(_mm512_add_epi64(layer_key, _mm512_mullo_epi64(nx, golden))),
                                      _mm512_mullo_epi64(ny, golden)));
        const __m512i u2 = mix64_x8(_mm512_add_epi64(key, golden)),
                      u1 = mix64_x8(_mm512_add_epi64(key, two_golden));
        if (store_nodes) {
          _mm512_store_pd(weight_lanes[k], w);
          _mm512_store_si512(u1_lanes[k], u1);
          _mm512_store_si512(u2_lanes[k], u2);
        } else {  // ShadowingLiftBound::max_lift
          const __m512d minus_cos =
              _mm512_i64gather_pd(_mm512_srli_epi64(u2, 54), lift->minus_cos_.data(), 8);
          const __m512i row = _mm512_srli_epi64(u1, 52);
          const __m512d radius = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(minus_cos, zero, _CMP_GE_OQ),
                                                      _mm512_i64gather_pd(row, lift->radius_low_.data(), 8),
                                                      _mm512_i64gather_pd(row, lift->radius_.data(), 8));
          layer = _mm512_add_pd(layer, _mm512_mul_pd(w, _mm512_mul_pd(radius, minus_cos)));
        }
      }
      if (store_nodes) {
        _mm512_store_si512(ix_lanes, ix);
        _mm512_store_si512(iy_lanes, iy);
        for (size_t i = 0; i < lanes; ++i) {
          models::radio::GridCorners& c = nodes->corners[at + i][l];
          c.ix = ix_lanes[i];
          c.iy = iy_lanes[i];
          const size_t node = (at + i) * kNodesPerLink + 4 * l;
          for (size_t k = 0; k < 4; ++k) {
            c.weight[k] = weight_lanes[k][i];
            nodes->u1_bits[node + k] = u1_lanes[k][i];
            nodes->u2_bits[node + k] = u2_lanes[k][i];
          }
        }
      } else {
        bound = _mm512_add_pd(bound, _mm512_mul_pd(_mm512_set1_pd(kSqrtShare[l]), layer));
      }
    }
    if (!store_nodes) _mm512_mask_storeu_pd(out + at, static_cast<__mmask8>((1u << lanes) - 1u), bound);
  }
}
#endif

void ShadowingField::standard_normals(std::span<const uint64_t> u1_bits, std::span<const uint64_t> u2_bits,
                                      double* out, bool vector) {
#ifdef CITYTWIN_LINK_GAINS_AVX512
  if (vector && GatewayGrid::vector_available()) return standard_normals_avx512(u1_bits, u2_bits, out);
#else
  (void)vector;
#endif
  for (size_t i = 0; i < u1_bits.size(); ++i)
    out[i] = models::radio::gaussian_from_uniforms(core::to_unit(u1_bits[i]), core::to_unit(u2_bits[i]));
}

#ifdef CITYTWIN_LINK_GAINS_AVX512
__attribute__((target("avx512f,avx512dq"))) void ShadowingField::standard_normals_avx512(
    std::span<const uint64_t> u1_bits, std::span<const uint64_t> u2_bits, double* out) {
  for (size_t at = 0; at < u1_bits.size(); at += 8) {
    const size_t lanes = std::min<size_t>(8, u1_bits.size() - at);
    const auto mask = static_cast<__mmask8>((1u << lanes) - 1u);
    // Lanes past the end: u1 = u2 = 0 (a radius of 0, computed, not stored).
    _mm512_mask_storeu_pd(out + at, mask,
                          standard_normal_x8(_mm512_maskz_loadu_epi64(mask, u1_bits.data() + at),
                                             _mm512_maskz_loadu_epi64(mask, u2_bits.data() + at)));
  }
}
#endif

double ShadowingField::max_abs_z() {
  return kMaxStandardNormal * models::radio::correlated_shadowing_bound_factor() * (1.0 + 1e-9);
}

}  // namespace citytwin::sim::city
