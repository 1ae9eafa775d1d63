#include "sim/city/shadowing_field.hpp"

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
  }
}

double ShadowingField::node(uint32_t gateway, size_t layer, int64_t ix, int64_t iy) const {
  // A stream key per node: the layer's key mixed with ix, then with iy (SplitMix64's finaliser, as
  // core::stream_key mixes its parts); u2 its first value, u1 its second, as standard_normal_draw.
  const uint64_t key = core::mix64(
      core::mix64(gateways_[gateway].node_key[layer] + static_cast<uint64_t>(ix) * core::kGolden) +
      static_cast<uint64_t>(iy) * core::kGolden);
  core::Stream rng(key, uint64_t{0});
  return standard_normal_draw(rng);
}

double ShadowingField::z(uint32_t gateway, double x_m, double y_m, double z_independent) const {
  return models::radio::correlated_standard_normal(
      gateways_[gateway].grids, x_m, y_m,
      [&](size_t layer, int64_t ix, int64_t iy) { return node(gateway, layer, ix, iy); }, z_independent);
}

double ShadowingField::max_abs_z() {
  return kMaxStandardNormal * models::radio::correlated_shadowing_bound_factor() * (1.0 + 1e-9);
}

}  // namespace citytwin::sim::city
