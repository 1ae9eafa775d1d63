// Tests of the confirmed-uplink retransmission policy (LoRaWAN 1.0.x, LoRaMac-node defaults).
#include "models/device/retransmission.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/device/firmware.hpp"

namespace citytwin::models::device {
namespace {

TEST(Retransmission, AtMostEightTransmissionsByDefault) {
  const Retransmission policy;
  for (int attempt = 1; attempt <= 7; ++attempt) EXPECT_TRUE(policy.should_retry(attempt)) << attempt;
  EXPECT_FALSE(policy.should_retry(8));
  EXPECT_FALSE(policy.should_retry(9));
  EXPECT_FALSE(policy.should_retry(0));  // attempts count from 1
}

TEST(Retransmission, NbTransOneNeverRetries) {
  const Retransmission policy({.max_transmissions = 1});
  EXPECT_FALSE(policy.should_retry(1));
  EXPECT_TRUE(std::isinf(policy.next_attempt_delay_s(1, 0.5)));
}

TEST(Retransmission, AckTimeoutIsTwoSecondsPlusOrMinusOne) {
  const Retransmission policy;
  EXPECT_DOUBLE_EQ(policy.next_attempt_delay_s(1, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(policy.next_attempt_delay_s(1, 0.5), 2.0);
  EXPECT_DOUBLE_EQ(policy.next_attempt_delay_s(1, 0.25), 1.5);
  EXPECT_NEAR(policy.next_attempt_delay_s(7, 0.999999), 3.0, 1e-5);
  // Same rule at every attempt; none after the last.
  EXPECT_DOUBLE_EQ(policy.next_attempt_delay_s(4, 0.75), 2.5);
  EXPECT_TRUE(std::isinf(policy.next_attempt_delay_s(8, 0.5)));
}

TEST(Retransmission, DataRateDropsEveryTwoAttempts) {
  // LoRaWAN 1.0.2 section 18.4: DR, DR, DR-1, DR-1, DR-2, DR-2, DR-3, DR-3, floored at DR0.
  const Retransmission policy;
  std::vector<int> from_dr5, from_dr1, sf_from7, sf_from11;
  for (int attempt = 1; attempt <= 8; ++attempt) {
    from_dr5.push_back(policy.data_rate(5, attempt));
    from_dr1.push_back(policy.data_rate(1, attempt));
    sf_from7.push_back(policy.spreading_factor(7, attempt));
    sf_from11.push_back(policy.spreading_factor(11, attempt));
  }
  EXPECT_EQ(from_dr5, (std::vector<int>{5, 5, 4, 4, 3, 3, 2, 2}));
  EXPECT_EQ(from_dr1, (std::vector<int>{1, 1, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(sf_from7, (std::vector<int>{7, 7, 8, 8, 9, 9, 10, 10}));
  EXPECT_EQ(sf_from11, (std::vector<int>{11, 11, 12, 12, 12, 12, 12, 12}));
}

TEST(Retransmission, DataRateKeptWhenTheDecreaseIsOff) {
  const Retransmission policy({.lower_data_rate = false});
  for (int attempt = 1; attempt <= 8; ++attempt) {
    EXPECT_EQ(policy.data_rate(5, attempt), 5);
    EXPECT_EQ(policy.spreading_factor(9, attempt), 9);
  }
}

TEST(Retransmission, Rx2ClosesWhenTheFirmwareReceiveStateEnds) {
  // RX1 at 1 s, RX2 one second later, 30 ms windows: 2.030 s after the uplink, the length of the
  // firmware's Receive state.
  EXPECT_NEAR(rx2_close_after_uplink_s(1.0, 0.030), 2.030, 1e-12);
  // EU868's RX2 at SF12/125 kHz listens 6 symbols of 32.768 ms (LoRaMac-node): 2.196608 s.
  const FirmwareProfile profile;
  const DutyCycleMachine machine(profile);
  const Uplink uplink = lorawan_uplink(radio::Region::EU868, 7, 125e3, 0.041216, 14.0);
  const StatePhase rx = machine.active_phase(FirmwareState::Receive, uplink);
  EXPECT_NEAR(rx2_close_after_uplink_s(profile.rx1_delay_s, machine.rx2_window_s(uplink)), rx.duration_s,
              1e-12);
  EXPECT_NEAR(rx.duration_s, 2.196608, 1e-12);
}

TEST(Retransmission, FullSequenceTiming) {
  // Eight unacknowledged SF7 frames (41.216 ms) with the median draw: each retry starts
  // 0.041216 + 2.030 + 2.0 = 4.071216 s after the previous one; the eighth starts 7 x 4.071216 =
  // 28.498512 s after the first.
  const Retransmission policy;
  const double airtime_s = 0.041216;
  double start_s = 0.0;
  int attempt = 1;
  while (policy.should_retry(attempt)) {
    start_s += airtime_s + rx2_close_after_uplink_s(1.0, 0.030) + policy.next_attempt_delay_s(attempt, 0.5);
    ++attempt;
  }
  EXPECT_EQ(attempt, 8);
  EXPECT_NEAR(start_s, 28.498512, 1e-9);
}

TEST(Retransmission, TimeoutAndRx2AreTheLorawanConstants) {
  const RetransmissionParams p;
  EXPECT_DOUBLE_EQ(p.ack_timeout_s, radio::kRetransmitTimeoutS);
  EXPECT_DOUBLE_EQ(p.ack_timeout_random_s, radio::kRetransmitTimeoutRandomS);
  // RX2 (30 ms) closes RECEIVE_DELAY2 + 30 ms after the uplink with the default RECEIVE_DELAY1.
  EXPECT_DOUBLE_EQ(rx2_close_after_uplink_s(radio::kReceiveDelay1S, 0.030), radio::kReceiveDelay2S + 0.030);
}

}  // namespace
}  // namespace citytwin::models::device
