// Retransmission of confirmed uplinks (LoRaWAN 1.0.x class A).
//
// A device that asked for an acknowledgement and got none in RX1 or RX2 sends the same frame again
// ACK_TIMEOUT after the RX2 window closes, where ACK_TIMEOUT is 2 s +/- 1 s drawn uniformly at random
// (the constants and their sources: models/radio/lorawan_timing.hpp; see also the confirmed-uplink
// timing example of LoRaWAN 1.0.2 chapter 18). It makes
// at most NbTrans transmissions in all; LoRaMac-node caps them at MAX_ACK_RETRIES = 8, the length of
// the table in LoRaWAN 1.0.2 section 18.4.
//
// Optional data-rate decrease (LoRaWAN 1.0.2 section 18.4, as LoRaMac-node does it): transmissions 1-2
// use the requested DR, 3-4 DR-1, 5-6 DR-2, 7-8 DR-3, never below DR0. In EU868 DR0..DR5 are SF12..SF7
// at 125 kHz (Regional Parameters RP002-1.0.3, table 2.5.3), so each step adds 1 to the SF, up to 12.
//
// Attempts are counted from 1: attempt n is the n-th transmission of the frame.
#pragma once

#include "models/radio/lorawan_timing.hpp"

namespace citytwin::models::device {

struct RetransmissionParams {
  int max_transmissions = 8;  // NbTrans, 1..8; 1 = never retransmit
  // Centre of the random wait after RX2 closes, and the half-width of its uniform spread.
  double ack_timeout_s = radio::kRetransmitTimeoutS;
  double ack_timeout_random_s = radio::kRetransmitTimeoutRandomS;
  bool lower_data_rate = true;  // apply the section 18.4 schedule
};

// RX2 opens one second after RX1 (models/radio/lorawan_timing.hpp): the RX2 window closes this long
// after the end of the uplink, for windows of rx_window_s.
double rx2_close_after_uplink_s(double rx1_delay_s, double rx_window_s);

class Retransmission {
 public:
  explicit Retransmission(const RetransmissionParams& params = {}) : params_(params) {}

  // After attempt n went unacknowledged, is there an attempt n + 1?
  bool should_retry(int attempt) const;

  // Wait between the close of attempt n's RX2 window and attempt n + 1, for a uniform draw in [0, 1):
  // ack_timeout +/- random, i.e. [1, 3) s by default. The wait does not depend on n in LoRaWAN 1.0.x.
  // Infinite when there is no attempt n + 1.
  double next_attempt_delay_s(int attempt, double uniform01) const;

  // Data rate (EU868 DR index) and spreading factor of attempt n, from those of the first attempt.
  int data_rate(int first_data_rate, int attempt) const;
  int spreading_factor(int first_spreading_factor, int attempt) const;

  const RetransmissionParams& params() const { return params_; }

 private:
  int steps_down(int attempt) const;

  RetransmissionParams params_;
};

}  // namespace citytwin::models::device
