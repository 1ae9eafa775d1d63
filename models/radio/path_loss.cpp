#include "models/radio/path_loss.hpp"

#include <cmath>
#include <limits>
#include <numbers>

namespace citytwin::models::radio {
namespace {
constexpr double kSpeedOfLightMps = 299792458.0;
}  // namespace

double free_space_loss_db(double distance_m, double frequency_hz) {
  return 20.0 * std::log10(4.0 * std::numbers::pi * distance_m * frequency_hz / kSpeedOfLightMps);
}

double LogDistancePathLoss::free_space_at_reference_db() const {
  if (!(free_space_frequency_hz > 0.0)) return -std::numeric_limits<double>::infinity();
  return free_space_loss_db(reference_distance_m, free_space_frequency_hz);
}

double LogDistancePathLoss::loss_db(double distance_m) const {
  const double d = std::max(distance_m, reference_distance_m);
  return loss_from_log_db(std::log10(d / reference_distance_m), free_space_at_reference_db());
}

double LogDistancePathLoss::distance_for_loss_m(double loss) const {
  // Each of the two lines' inverse; the loss, their maximum, reaches loss_db at the nearer one.
  const double floor_d0_db = free_space_at_reference_db();
  if (loss <= std::max(reference_loss_db, floor_d0_db)) return reference_distance_m;
  const double by_line =
      reference_distance_m * std::pow(10.0, (loss - reference_loss_db) / (10.0 * exponent));
  const double by_floor = reference_distance_m * std::pow(10.0, (loss - floor_d0_db) / 20.0);
  return std::min(by_line, by_floor);
}

}  // namespace citytwin::models::radio
