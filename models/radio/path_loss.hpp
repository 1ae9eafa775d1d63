// Log-distance path loss: PL(d) = PL(d0) + 10 n log10(d / d0), for d >= d0 (PL(d0) below d0).
// Source: T. S. Rappaport, "Wireless Communications: Principles and Practice", 2nd ed., eq. 4.68.
// Defaults: the urban set-up of the ns-3 lorawan module (Magrin, Centenaro, Vangelista, "Performance
// evaluation of LoRa networks in a smart city scenario", IEEE ICC 2017): d0 = 1 m, PL(d0) = 7.7 dB,
// n = 3.76.
#pragma once

namespace citytwin::models::radio {

struct LogDistancePathLoss {
  double reference_distance_m = 1.0;
  double reference_loss_db = 7.7;
  double exponent = 3.76;

  double loss_db(double distance_m) const;
  // The distance at which the loss reaches loss_db (the inverse of loss_db above d0).
  double distance_for_loss_m(double loss_db) const;
};

}  // namespace citytwin::models::radio
