// Log-normal shadowing and building (outdoor-to-indoor) penetration loss, as pure functions of a
// standard-normal draw the caller supplies (the caller owns the RNG and its named stream).
//
// Shadowing: X ~ N(0, sigma^2) in dB added to the path loss (Rappaport, "Wireless Communications", 2nd
// ed., section 4.9.2, log-normal shadowing). Published LoRa values of sigma:
// - 7.8 dB: Petajajarvi, Mikhaylov, Roivainen, Hanninen, Pettissalo, "On the coverage of LPWANs: range
//   evaluation and channel attenuation model for LoRa technology", ITST 2015 (Oulu, 868 MHz, ground
//   measurements; with n = 2.32, B = 128.95 dB at 1 km). LogNormalShadowing's default, for a city; a
//   scenario's radio.shadowing.sigma defaults to 0 dB (no shadowing) and must ask for it.
// - 3.57 dB: Bor, Roedig, Voigt, Alonso, "Do LoRa low-power wide-area networks scale?", ACM MSWiM 2016
//   (LoRaSim; with d0 = 40 m, PL(d0) = 127.41 dB, n = 2.08). Both as FLoRa's defaults
//   (LoRaPathLossOulu.ned, LoRaLogNormalShadowing.ned).
//
// Gaussian draws: Box-Muller transform (Box & Muller, "A note on the generation of random normal
// deviates", Ann. Math. Statist. 29(2), 1958): z = sqrt(-2 ln u1) cos(2 pi u2) is N(0, 1) for
// independent u1, u2 uniform on (0, 1].
//
// Building penetration: 3GPP TR 38.901 V16.1.0, section 7.4.3.1 (O2I building penetration loss, valid
// 0.5-100 GHz), PL = PL_tw + PL_in + N(0, sigma_P^2), f in GHz:
//   materials (Table 7.4.3-1): standard glass 2 + 0.2 f, IRR glass 23 + 0.3 f, concrete 5 + 4 f dB
//   low-loss  (Table 7.4.3-2): PL_tw = 5 - 10 log10(0.3 10^(-L_glass/10) + 0.7 10^(-L_concrete/10)),
//                              sigma_P = 4.4 dB
//   high-loss (Table 7.4.3-2): PL_tw = 5 - 10 log10(0.7 10^(-L_IRRglass/10) + 0.3 10^(-L_concrete/10)),
//                              sigma_P = 6.5 dB
//   PL_in = 0.5 d_2D-in dB (d_2D-in: distance from the outer wall, m; 38.901 draws it as the minimum of
//   two uniforms on [0, 25] m in UMa/UMi, mean 8.33 m).
// At 868 MHz: low-loss PL_tw = 10.51 dB, high-loss PL_tw = 18.38 dB. PenetrationLoss::sample_db returns
// the Gaussian draw as it is (38.901 does not clamp it: a draw below -PL_tw / sigma_P, 2.4 sigma for low
// loss, would be a gain), but the links of a city clamp it at 0 dB (sim/city/device_links.cpp): a wall
// does not amplify. A scenario's building_penetration defaults to 0 dB (mean and sigma): no wall.
#pragma once

#include <cstdint>

namespace citytwin::models::radio {

// Box-Muller: a standard-normal value from two independent uniforms u1, u2 in [0, 1) (what a generator
// such as (x >> 11) * 2^-53 gives). 1 - u1 is used inside the logarithm, so u1 = 0 is safe.
double gaussian_from_uniforms(double u1, double u2);

struct LogNormalShadowing {
  double sigma_db = 7.8;

  // The shadowing term, dB, for a standard-normal draw: sigma_db * standard_normal.
  double sample_db(double standard_normal) const { return sigma_db * standard_normal; }
};

inline constexpr double kPetajajarviSigmaDb = 7.8;
inline constexpr double kLoraSimSigmaDb = 3.57;

enum class O2iModel : uint8_t { LowLoss, HighLoss };

// A constant-plus-Gaussian loss: mean_db + sigma_db * z.
struct PenetrationLoss {
  double mean_db = 0.0;
  double sigma_db = 0.0;

  double sample_db(double standard_normal) const { return mean_db + sigma_db * standard_normal; }
};

// 38.901 material losses, dB, at frequency_hz.
double standard_glass_loss_db(double frequency_hz);
double irr_glass_loss_db(double frequency_hz);
double concrete_loss_db(double frequency_hz);

// Through-wall loss PL_tw, dB.
double o2i_wall_loss_db(O2iModel model, double frequency_hz);

// sigma_P, dB: 4.4 (low loss) or 6.5 (high loss).
double o2i_sigma_db(O2iModel model);

// The full O2I loss for an indoor device indoor_distance_m inside the outer wall: mean PL_tw + 0.5 d,
// sigma sigma_P.
PenetrationLoss o2i_penetration_loss(O2iModel model, double frequency_hz, double indoor_distance_m);

}  // namespace citytwin::models::radio
