// Log-distance path loss: PL(d) = PL(d0) + 10 n log10(d / d0), for d >= d0 (PL(d0) below d0), never less
// than the free-space loss.
// Source: T. S. Rappaport, "Wireless Communications: Principles and Practice", 2nd ed., eq. 4.68.
// Defaults: the urban set-up of the ns-3 lorawan module (Magrin, Centenaro, Vangelista, "Performance
// evaluation of LoRa networks in a smart city scenario", IEEE ICC 2017): d0 = 1 m, PL(d0) = 7.7 dB,
// n = 3.76. That is 3GPP TR 36.942's macro-cell model for urban areas (subclause 4.5.2):
//   L = 40 (1 - 4e-3 Dhb) log10(R / km) - 18 log10(Dhb) + 21 log10(f / MHz) + 80 dB,
// at a base-station height over the rooftops Dhb = 15 m and f = 868 MHz: 37.6 log10(R / km) + 120.54 dB,
// i.e. 7.74 + 37.6 log10(d / m) dB.
// Free-space floor: with n > 2 a log-distance line fitted at macro-cell ranges falls below the free-space
// loss near the transmitter (the default below 21.7 m: at 1 m 7.7 dB against Friis's 31.2 dB), which no
// obstructed path can do; so the loss is max(PL(d), FSPL(d)), FSPL(d) = 20 log10(4 pi d f / c) (Friis,
// Rappaport eq. 4.5), as the Vienna 5G system-level simulator bounds this same TR 36.942 model
// (macroscopicPathlossModel.Urban: "ensure that the pathloss is no less than the free space pathloss").
#pragma once

#include <algorithm>

namespace citytwin::models::radio {

struct LogDistancePathLoss {
  double reference_distance_m = 1.0;
  double reference_loss_db = 7.7;
  double exponent = 3.76;
  // Carrier frequency of the free-space floor (EU868's band; the scenario sets US915's); 0: no floor.
  double free_space_frequency_hz = 868e6;

  double loss_db(double distance_m) const;
  // The distance at which the loss reaches loss_db (the inverse of loss_db above d0).
  double distance_for_loss_m(double loss_db) const;
  // The free-space loss at d0, 20 log10(4 pi d0 f / c) (-infinity without a floor). With it,
  // loss_db(d) = loss_from_log_db(log10(max(d, d0) / d0), free_space_at_reference_db()): the form for
  // loops that compute it once.
  double free_space_at_reference_db() const;
  double loss_from_log_db(double log10_ratio, double free_space_at_reference_db) const {
    return std::max(reference_loss_db + 10.0 * exponent * log10_ratio,
                    free_space_at_reference_db + 20.0 * log10_ratio);
  }
};

// Friis's free-space loss, 20 log10(4 pi d f / c) dB (Rappaport, eq. 4.5).
double free_space_loss_db(double distance_m, double frequency_hz);

}  // namespace citytwin::models::radio
