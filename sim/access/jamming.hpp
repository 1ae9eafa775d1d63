// Jammers (scenario attacks.jamming): noise sources that raise the noise floor of the LoRa gateways
// around them. A jammer radiates `power` (EIRP, in each jammed channel's band) isotropically during
// its window; at a gateway its received power is that minus the scenario's path loss
// (radio.path_loss, models/radio/path_loss.hpp) plus the gateway's antenna gain. Added to the thermal
// noise floor N = -174 dBm/Hz + 10 log10(B) + NF (models/radio/adr.hpp), it raises the floor by
//     rise = 10 log10(1 + sum_j 10^((J_j - N) / 10))  dB,
// and so the gateway's sensitivity by as much (the SNR a demodulator needs is unchanged): a frame whose
// received power is less than `rise` above the sensitivity for its SF is lost there (fail_reason
// `jammed`). A frame is judged against every jammer on at any time it is on the air (a burst in the
// middle of a frame corrupts it). Jamming is a property of the place, so shadowing is not drawn for it.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/city/city_layout.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::access {

class JammingField {
 public:
  // Keeps a reference to scenario.attacks.jamming: the scenario must outlive the field.
  JammingField(const scenario::Scenario& scenario, const city::CityLayout& city);

  bool empty() const { return jammers_.empty(); }
  size_t jammer_count() const { return jammers_.size(); }
  // Received power of jammer j at gateway g, dBm (-inf for gateways of another radio).
  double received_dbm(size_t jammer, uint32_t gateway) const {
    return received_dbm_[jammer * gateways_ + gateway];
  }
  // The rise of gateway g's noise floor (dB) over a bandwidth, from the jammers on `channel_hz` that are
  // on at some time in [t0_s, t1_s); 0 when none is.
  double noise_rise_db(uint32_t gateway, uint32_t channel_hz, double bandwidth_hz, double t0_s,
                       double t1_s) const;
  // Whether a frame received margin_db above the gateway's sensitivity is lost to jamming.
  bool jams(uint32_t gateway, uint32_t channel_hz, double bandwidth_hz, double margin_db, double t0_s,
            double t1_s) const {
    return !jammers_.empty() && margin_db < noise_rise_db(gateway, channel_hz, bandwidth_hz, t0_s, t1_s);
  }

 private:
  const std::vector<scenario::Jamming>& jammers_;
  double noise_figure_db_;
  size_t gateways_;
  std::vector<double> received_dbm_;  // per jammer, per gateway
};

}  // namespace citytwin::sim::access
