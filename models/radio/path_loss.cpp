#include "models/radio/path_loss.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin::models::radio {

double LogDistancePathLoss::loss_db(double distance_m) const {
  const double d = std::max(distance_m, reference_distance_m);
  return reference_loss_db + 10.0 * exponent * std::log10(d / reference_distance_m);
}

double LogDistancePathLoss::distance_for_loss_m(double loss) const {
  if (loss <= reference_loss_db) return reference_distance_m;
  return reference_distance_m * std::pow(10.0, (loss - reference_loss_db) / (10.0 * exponent));
}

}  // namespace citytwin::models::radio
