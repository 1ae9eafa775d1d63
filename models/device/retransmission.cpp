#include "models/device/retransmission.hpp"

#include <algorithm>
#include <limits>

namespace citytwin::models::device {

namespace {
constexpr int kLowestDataRate = 0;  // EU868 DR0 = SF12/125 kHz
constexpr int kHighestSpreadingFactor = 12;
}  // namespace

double rx2_close_after_uplink_s(double rx1_delay_s, double rx_window_s) {
  return radio::rx2_open_s(rx1_delay_s) + rx_window_s;
}

bool Retransmission::should_retry(int attempt) const {
  return attempt >= 1 && attempt < params_.max_transmissions;
}

double Retransmission::next_attempt_delay_s(int attempt, double uniform01) const {
  if (!should_retry(attempt)) return std::numeric_limits<double>::infinity();
  return params_.ack_timeout_s + params_.ack_timeout_random_s * (2.0 * uniform01 - 1.0);
}

int Retransmission::steps_down(int attempt) const {
  if (!params_.lower_data_rate || attempt < 1) return 0;
  return (attempt - 1) / 2;  // 1-2: 0, 3-4: 1, 5-6: 2, 7-8: 3
}

int Retransmission::data_rate(int first_data_rate, int attempt) const {
  return std::max(first_data_rate - steps_down(attempt), std::min(first_data_rate, kLowestDataRate));
}

int Retransmission::spreading_factor(int first_spreading_factor, int attempt) const {
  return std::min(first_spreading_factor + steps_down(attempt),
                  std::max(first_spreading_factor, kHighestSpreadingFactor));
}

}  // namespace citytwin::models::device
