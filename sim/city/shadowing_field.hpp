// Spatially correlated shadowing (radio.shadowing.correlation_distance): one field per gateway over the
// devices' positions, so that nearby devices' links to a gateway fade together and coverage holes come in
// patches. The field's geometry is models/radio/correlated_shadowing.hpp (its layers, their correlation
// against exp(-d / d_c), the sources); this draws it.
//
// Nothing is stored per node: a node's value is a pure function of (seed, gateway, layer, node), a
// Box-Muller draw on two values of a counter-based stream whose key hashes them, and a gateway's grids
// (rotation, shift) likewise of (seed, gateway). A link's z is therefore the same on every thread, in every
// MPI rank and for every consumer of the link (uplink, downlink, the K strongest, the coverage KPIs all read
// the one gain the city layout keeps). A gateway is known by its name (its index when it has none), so that
// adding or removing another gateway leaves its field as it was.
//
// The device's own independent draw (the uncorrelated model's, stream "shadowing" at the gateway's rank)
// carries the field's nugget share. Without radio.shadowing.correlation_distance none of this runs and each
// link keeps that draw whole, as before.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "models/radio/correlated_shadowing.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::city {

class ShadowingLiftBound;  // sim/city/link_index.hpp

class ShadowingField {
 public:
  ShadowingField(uint64_t seed, const std::vector<scenario::Gateway>& gateways,
                 double correlation_distance_m);

  // The link's standard-normal shadowing z (its loss sigma z dB) for gateway g and a device at (x_m, y_m)
  // whose independent draw is z_independent.
  double z(uint32_t gateway, double x_m, double y_m, double z_independent) const;
  // An upper bound of what each link's layers add to its lift -z (the sum over layers of sqrt(share)
  // sum_i w_i (-node_i)), from the nodes' hashes alone (ShadowingLiftBound::max_lift: no logarithm, no
  // cosine), for the links of a device at (x_m, y_m) to the gateways links[i].first. The weights are >= 0,
  // so the nodes' bounds bound their weighted sum; with sqrt(nugget share) times the independent draw's
  // bound it bounds the link's lift, and the set-up computes z only where that reaches the lift the link
  // needs (DeviceLinks::add_field_shadowing). vector: eight links at a time where the processor has
  // AVX-512, in the scalar path's operations (the same bits).
  void max_lifts(std::span<const std::pair<uint32_t, double>> links, double x_m, double y_m,
                 const ShadowingLiftBound& lift, std::vector<double>& out, bool vector) const;
  // The nodes of links: per link its layers' cells, per node (12 a link, 4 a layer in GridCorners' order)
  // the two hashes of its draw (u1 and u2 of standard_normal_draw: the node's value is
  // gaussian_from_uniforms of them). z of link i is then models::radio::correlated_standard_normal(
  // corners[i], the values of its nodes, z_independent).
  struct Nodes {
    std::vector<models::radio::ShadowingCorners> corners;  // per link
    std::vector<uint64_t> u1_bits, u2_bits;                // per node
  };
  void hash_nodes(std::span<const std::pair<uint32_t, double>> links, double x_m, double y_m, Nodes& nodes,
                  bool vector) const;
  // out[i] = gaussian_from_uniforms(to_unit(u1_bits[i]), to_unit(u2_bits[i])) (standard_normal_draw's value
  // of the hashes). vector: eight at a time with glibc's vector maths where the processor has AVX-512
  // (within a few ulp of the scalar libm's).
  static void standard_normals(std::span<const uint64_t> u1_bits, std::span<const uint64_t> u2_bits,
                               double* out, bool vector);
  // Gateway g's grids (for the exact covariance, models::radio::shadowing_covariance).
  const models::radio::ShadowingGrids& grids(uint32_t gateway) const { return gateways_[gateway].grids; }
  // The value of node (ix, iy) of layer `layer` of gateway g's field: N(0, 1), |value| <= kMaxStandardNormal.
  double node(uint32_t gateway, size_t layer, int64_t ix, int64_t iy) const;
  // The largest |z| the field gives (the cut-off's lift, sim/city/link_index.hpp LinkCutoff): every node
  // and draw at most kMaxStandardNormal, times models::radio::correlated_shadowing_bound_factor (with a
  // margin for rounding). 30.7 standard deviations.
  static double max_abs_z();

 private:
  struct Gateway {
    models::radio::ShadowingGrids grids;
    std::array<uint64_t, models::radio::kShadowingLayers.size()> node_key;  // per layer
  };
  std::vector<Gateway> gateways_;
  // Per layer, per gateway: the grids and node keys of gateways_ as arrays (the vector path's).
  struct LayerArrays {
    std::vector<double> cos_angle, sin_angle, side_m, shift_u, shift_v;
    std::vector<uint64_t> node_key;
  };
  std::array<LayerArrays, models::radio::kShadowingLayers.size()> layers_;
  // The AVX-512 paths (sim/city/avx512.hpp), where the compiler builds them: walk_avx512 is max_lifts'
  // (lift and out given) or hash_nodes' (nodes given).
  void walk_avx512(std::span<const std::pair<uint32_t, double>> links, double x_m, double y_m,
                   const ShadowingLiftBound* lift, double* out, Nodes* nodes) const;
  static void standard_normals_avx512(std::span<const uint64_t> u1_bits, std::span<const uint64_t> u2_bits,
                                      double* out);
};

}  // namespace citytwin::sim::city
