#include "models/radio/shadowing.hpp"

#include <cmath>
#include <numbers>

namespace citytwin::models::radio {
namespace {

double ghz(double frequency_hz) { return frequency_hz / 1e9; }

// -10 log10(sum of weight 10^(-loss/10)): the loss of a wall made of materials in these proportions.
double mixed_wall_loss_db(double weight_a, double loss_a_db, double weight_b, double loss_b_db) {
  return -10.0 * std::log10(weight_a * std::pow(10.0, -loss_a_db / 10.0) +
                            weight_b * std::pow(10.0, -loss_b_db / 10.0));
}

}  // namespace

double gaussian_from_uniforms(double u1, double u2) {
  return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double standard_glass_loss_db(double frequency_hz) { return 2.0 + 0.2 * ghz(frequency_hz); }
double irr_glass_loss_db(double frequency_hz) { return 23.0 + 0.3 * ghz(frequency_hz); }
double concrete_loss_db(double frequency_hz) { return 5.0 + 4.0 * ghz(frequency_hz); }

double o2i_wall_loss_db(O2iModel model, double frequency_hz) {
  if (model == O2iModel::HighLoss) {
    return 5.0 +
           mixed_wall_loss_db(0.7, irr_glass_loss_db(frequency_hz), 0.3, concrete_loss_db(frequency_hz));
  }
  return 5.0 +
         mixed_wall_loss_db(0.3, standard_glass_loss_db(frequency_hz), 0.7, concrete_loss_db(frequency_hz));
}

double o2i_sigma_db(O2iModel model) { return model == O2iModel::HighLoss ? 6.5 : 4.4; }

PenetrationLoss o2i_penetration_loss(O2iModel model, double frequency_hz, double indoor_distance_m) {
  return {o2i_wall_loss_db(model, frequency_hz) + 0.5 * indoor_distance_m, o2i_sigma_db(model)};
}

}  // namespace citytwin::models::radio
