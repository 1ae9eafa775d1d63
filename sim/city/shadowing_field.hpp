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
#include <vector>

#include "models/radio/correlated_shadowing.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::city {

class ShadowingField {
 public:
  ShadowingField(uint64_t seed, const std::vector<scenario::Gateway>& gateways,
                 double correlation_distance_m);

  // The link's standard-normal shadowing z (its loss sigma z dB) for gateway g and a device at (x_m, y_m)
  // whose independent draw is z_independent.
  double z(uint32_t gateway, double x_m, double y_m, double z_independent) const;
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
};

}  // namespace citytwin::sim::city
