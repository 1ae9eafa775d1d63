// The radio medium: collisions and capture at each gateway, across window boundaries; downlinks that block a
// gateway. On the pool, with many frames a window: radio_medium_threads_test.cpp.
#include "sim/access/radio_medium.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <vector>

#include "models/device/firmware.hpp"
#include "models/radio/interference.hpp"
#include "tests/sim/radio_medium_support.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

using namespace radio_test;  // NOLINT(google-build-using-namespace): the tests' own helpers
using radio_test::scenario;  // (not the namespace citytwin::sim::scenario)

TEST(RadioMedium, OverlappingFramesOnTheSameChannelAndSfBothDieWithoutCapture) {
  const CityLayout city = layout({{-100}, {-90}, {-100}}, 1);
  Medium m(city, false);
  auto out = m.step({tx(0, 0.0, 0.1), tx(1, 0.05, 0.15), tx(2, 0.5, 0.6)}, 1.0);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(out[0].gateways.empty());
  EXPECT_TRUE(out[1].gateways.empty());
  EXPECT_EQ(out[0].reason, output::FailReason::Collision);
  EXPECT_EQ(out[2].gateways, std::vector<uint32_t>{0});
  EXPECT_EQ(out[2].reason, output::FailReason::None);
  EXPECT_TRUE(m.idle());
}

TEST(RadioMedium, SensitivityDependsOnSfAndPower) {
  // -133 dBm: above SF9's -135 dBm sensitivity, below SF8's -132.5 dBm.
  const CityLayout city = layout({{-133}, {-133}}, 1);
  Medium m(city, true);
  Transmission weak = tx(1, 0.5, 0.6, 868100000, 9);
  weak.tx_power_dbm = kTxPower - 3.0f;  // 3 dB less power: below SF9's sensitivity too
  auto out = m.step({tx(0, 0.0, 0.1, 868100000, 8), weak}, 1.0);
  EXPECT_EQ(out[0].reason, output::FailReason::BelowSensitivity);
  EXPECT_EQ(out[0].in_range, 0);
  EXPECT_EQ(out[1].reason, output::FailReason::BelowSensitivity);
  out = m.step({tx(0, 2.0, 2.1, 868100000, 9)}, 3.0);
  EXPECT_EQ(out[0].reason, output::FailReason::None);
}

TEST(RadioMedium, InterSfRejectionFollowsTheGoursaudMatrix) {
  // An SF12 frame at -125 dBm under an SF7 frame: Goursaud & Gorce's SF12-vs-SF7 threshold is -36 dB.
  // At -95 dBm (30 dB stronger) the SF12 frame survives; at -85 dBm (40 dB stronger) it does not.
  // The SF7 frame needs SIR >= -20 dB against SF12: it survives both.
  const CityLayout city = layout({{-125}, {-95}, {-85}}, 1);
  for (const auto mode : {RadioChannel::InterSf::Goursaud, RadioChannel::InterSf::Orthogonal}) {
    Medium m(city, true, 8, mode);
    auto out = m.step({tx(0, 0.0, 1.0, 868100000, 12), tx(1, 0.2, 0.3, 868100000, 7)}, 2.0);
    EXPECT_EQ(out[0].reason, output::FailReason::None);
    EXPECT_EQ(out[1].reason, output::FailReason::None);
    out = m.step({tx(0, 3.0, 4.0, 868100000, 12), tx(2, 3.2, 3.3, 868100000, 7)}, 5.0);
    EXPECT_EQ(out[0].reason, mode == RadioChannel::InterSf::Goursaud ? output::FailReason::Collision
                                                                     : output::FailReason::None);
    EXPECT_EQ(out[2].reason, output::FailReason::None);
    // Another channel never interferes.
    out = m.step({tx(0, 6.0, 7.0, 868100000, 12), tx(2, 6.2, 6.3, 868300000, 7)}, 8.0);
    EXPECT_EQ(out[0].reason, output::FailReason::None);
  }
}

TEST(RadioMedium, EightDemodulatorsAtMostThenFramesAreDropped) {
  // Ten frames on ten different channels start together: no collisions, but 8 demodulation paths.
  std::vector<std::vector<float>> rssi(10, std::vector<float>{-100});
  const CityLayout city = layout(rssi, 1);
  Medium m(city, false);
  std::vector<Transmission> frames;
  for (uint32_t d = 0; d < 10; ++d) frames.push_back(tx(d, 0.1 * d / 10, 0.5, 868100000 + 200000 * d));
  auto out = m.step(frames, 1.0);
  for (uint32_t d = 0; d < 8; ++d) EXPECT_EQ(out[d].reason, output::FailReason::None) << d;
  EXPECT_EQ(out[8].reason, output::FailReason::NoDemodulator);
  EXPECT_EQ(out[9].reason, output::FailReason::NoDemodulator);
  // Paths free again once the frames end.
  out = m.step({tx(8, 1.0, 1.2, 868100000)}, 2.0);
  EXPECT_EQ(out[8].reason, output::FailReason::None);
}

TEST(RadioMedium, AGatewaySendingADownlinkHearsNothing) {
  const CityLayout city = layout({{-100}, {-100}}, 1);
  Medium m(city, false);
  auto out = m.step({tx(0, 0.8, 1.5)}, 1.0);  // on the air when the downlink is scheduled
  m.medium().block_gateway(0, 1.2, 1.3);
  EXPECT_TRUE(m.medium().gateway_busy(0, 1.25, 1.26));
  EXPECT_FALSE(m.medium().gateway_busy(0, 1.3, 1.4));
  out = m.step({tx(1, 1.25, 1.28, 868300000)}, 2.0);
  EXPECT_EQ(out[0].reason, output::FailReason::GatewayTransmitting);
  EXPECT_EQ(out[1].reason, output::FailReason::GatewayTransmitting);
  out = m.step({tx(1, 2.0, 2.1)}, 3.0);
  EXPECT_EQ(out[1].reason, output::FailReason::None);
}

// With orthogonal SFs each gateway keeps one on-air list per (channel, SF): a downlink still reaches the
// frames of every SF and channel on the air at its gateway, and only those.
TEST(RadioMedium, ADownlinkReachesTheFramesOfEverySfAndChannelOnTheAir) {
  const CityLayout city = layout({{-100, -100}, {-100, -100}, {-100, -100}, {-100, -100}}, 2);
  Medium m(city, false);
  const auto before = m.step({tx(0, 0.8, 1.5, 868100000, 7), tx(1, 0.7, 1.6, 868100000, 12),
                              tx(2, 0.9, 1.4, 868300000, 9), tx(3, 0.2, 0.6, 868100000, 12)},
                             1.0);
  EXPECT_EQ(before.at(3).gateways, (std::vector<uint32_t>{0, 1}));  // over before the downlink
  m.medium().block_gateway(0, 1.2, 1.3);
  const auto after = m.step({}, 2.0);
  for (uint32_t d : {0u, 1u, 2u}) {
    EXPECT_EQ(after.at(d).gateways, std::vector<uint32_t>{1}) << "device " << d;
    EXPECT_EQ(after.at(d).reason, output::FailReason::None) << "device " << d;  // received at gateway 1
  }
}

// A frame that ended before a later newcomer started (no newcomer to come overlaps it) is still reached by
// a downlink scheduled in the same long step: frame 1 (strong) survives frame 2 (weak), frame 3 is
// compared with both, then the downlink sent for frame 0 at [2.2, 2.4] takes frames 1 and 2; frame 3
// starts after the downlink.
TEST(RadioMedium, ADownlinkInALongStepReachesAFrameThatEndedBeforeALaterNewcomer) {
  const CityLayout city = layout({{-100}, {-90}, {-110}, {-90}}, 1);
  Medium m(city, true);
  m.on_resolved = [&](const ResolvedFrame& f) {
    if (f.tx.device == 0) m.medium().block_gateway(0, 2.2, 2.4);
  };
  const auto out =
      m.step({tx(0, 0.0, 1.0, 868300000), tx(1, 1.5, 2.5), tx(2, 2.0, 3.5), tx(3, 3.0, 3.1)}, 10.0);
  EXPECT_EQ(out.at(0).reason, output::FailReason::None);
  EXPECT_EQ(out.at(1).reason, output::FailReason::GatewayTransmitting);
  EXPECT_EQ(out.at(2).reason, output::FailReason::GatewayTransmitting);
  EXPECT_EQ(out.at(3).reason, output::FailReason::None);
  // Without the downlink frame 1 is received: it is the downlink that takes it.
  Medium quiet(city, true);
  const auto alone =
      quiet.step({tx(0, 0.0, 1.0, 868300000), tx(1, 1.5, 2.5), tx(2, 2.0, 3.5), tx(3, 3.0, 3.1)}, 10.0);
  EXPECT_EQ(alone.at(1).reason, output::FailReason::None);
  EXPECT_EQ(alone.at(2).reason, output::FailReason::Collision);
}

// A step longer than the receive delay (a run's last step holds every frame after its end; long windows):
// frame 0 ends at 1.0 and its downlink goes out at [2.0, 2.2], while frame 1 is on the air at [1.5, 2.5] at
// the same gateway. Frame 2, on the same channel and SF from 3.0, is compared with frame 1 before the
// downlink is known; frame 1 must still be on the gateway's list when the downlink comes (it had been
// dropped from it, and received).
TEST(RadioMedium, ADownlinkSentInALongStepReachesAFrameThatEndedBeforeALaterOne) {
  const CityLayout city = layout({{-100}, {-100}, {-100}}, 1);
  Medium m(city, false);
  m.on_resolved = [&](const ResolvedFrame& f) {
    if (f.tx.device == 0) m.medium().block_gateway(0, 2.0, 2.2);
  };
  auto out = m.step({tx(0, 0.0, 1.0), tx(1, 1.5, 2.5), tx(2, 3.0, 3.1)}, 10.0);
  EXPECT_EQ(out[0].reason, output::FailReason::None);
  EXPECT_EQ(out[1].reason, output::FailReason::GatewayTransmitting);
  EXPECT_EQ(out[2].reason, output::FailReason::None);
  // The same frames in steps of a second: the downlink (sent at 1.0) is known before frame 1 starts.
  Medium w(city, false);
  w.on_resolved = [&](const ResolvedFrame& f) {
    if (f.tx.device == 0) w.medium().block_gateway(0, 2.0, 2.2);
  };
  std::map<uint32_t, Outcome> all;
  const std::vector<std::vector<Transmission>> windows = {
      {tx(0, 0.0, 1.0)}, {tx(1, 1.5, 2.5)}, {}, {tx(2, 3.0, 3.1)}};
  for (size_t k = 0; k < windows.size(); ++k) all.merge(w.step(windows[k], static_cast<double>(k + 1)));
  all.merge(w.step({}, 10.0));
  EXPECT_EQ(all[1].reason, output::FailReason::GatewayTransmitting);
  EXPECT_EQ(all[0].reason, output::FailReason::None);
  EXPECT_EQ(all[2].reason, output::FailReason::None);
}

// Ended frames leave a gateway's on-air list once nothing can reach them: no later newcomer (they come in
// start order) and no downlink still to come, which opens at least the shortest RX1 delay after the last
// step's end. A run's last step is long: after a step to 1.0, one to 10.0 resolves frame 0 (ends 1.2) and
// sends its downlink at [2.2, 2.4]; frame 2 (from 3.0) was compared with frame 1 (ends 2.5) before, and
// frame 1 had to stay on the list (a newcomer's start alone would have dropped it, and it was received).
TEST(RadioMedium, ADownlinkInARunsLastLongStepReachesAFrameThatEndedBeforeALaterOne) {
  const CityLayout city = layout({{-100}, {-100}, {-100}}, 1);
  Medium m(city, false);
  m.on_resolved = [&](const ResolvedFrame& f) {
    if (f.tx.device == 0) m.medium().block_gateway(0, f.tx.t_end_s + 1.0, f.tx.t_end_s + 1.2);
  };
  EXPECT_TRUE(m.step({}, 1.0).empty());
  const auto out = m.step({tx(0, 1.0, 1.2, 868300000), tx(1, 1.5, 2.5), tx(2, 3.0, 3.1)}, 10.0);
  EXPECT_EQ(out.at(0).reason, output::FailReason::None);
  EXPECT_EQ(out.at(1).reason, output::FailReason::GatewayTransmitting);
  EXPECT_EQ(out.at(2).reason, output::FailReason::None);
}

// The floor is the city's shortest RX1 delay, here 0.3 s (below the window: the loader refuses that for a
// scenario, a medium built in code may still be stepped so): frame 0's downlink opens 0.3 s after its end,
// at [1.4, 1.6], and takes frame 1 (ended 1.5, before frame 2 started at 1.55, which it also takes). With
// the floor of a 1 s delay frame 1 would have left the list at frame 2's start.
TEST(RadioMedium, EndedFramesStayOnTheListsForTheShortestRx1Delay) {
  CityLayout city = layout({{-100}, {-100}, {-100}}, 1);
  models::device::FirmwareProfile firmware;
  firmware.rx1_delay_s = 0.3;
  city.populations[0].machine = models::device::DutyCycleMachine(firmware);
  Medium m(city, false);
  m.on_resolved = [&](const ResolvedFrame& f) {
    if (f.tx.device == 0) m.medium().block_gateway(0, f.tx.t_end_s + 0.3, f.tx.t_end_s + 0.5);
  };
  EXPECT_TRUE(m.step({}, 1.0).empty());
  const auto out = m.step({tx(0, 1.0, 1.1, 868300000), tx(1, 1.2, 1.5), tx(2, 1.55, 1.6)}, 2.0);
  EXPECT_EQ(out.at(0).reason, output::FailReason::None);
  EXPECT_EQ(out.at(1).reason, output::FailReason::GatewayTransmitting);
  EXPECT_EQ(out.at(2).reason, output::FailReason::GatewayTransmitting);
}

// A downlink must open after the last window's end (or, from a step's sink, after the resolved frame's end
// plus the RX1 delay): one opening before frames its gateway's lists already dropped is refused, not
// applied to the frames that remain.
TEST(RadioMedium, ADownlinkOpeningBeforeFramesTheListsDroppedIsRefused) {
  const CityLayout city = layout({{-100}, {-100}}, 1);
  Medium m(city, false);
  m.step({tx(0, 0.2, 0.5)}, 1.0);
  m.step({tx(1, 1.5, 1.6)}, 2.0);  // frame 0 leaves the list at frame 1's start
  EXPECT_THROW(m.medium().block_gateway(0, 1.4, 1.45), std::logic_error);
  EXPECT_NO_THROW(m.medium().block_gateway(0, 2.0, 2.2));
}

TEST(RadioMedium, CaptureKeepsTheFrameSixDbStronger) {
  const CityLayout city = layout({{-100}, {-94}, {-96}}, 1);
  Medium m(city, true);
  auto out = m.step({tx(0, 0.0, 0.1), tx(1, 0.05, 0.15)}, 1.0);
  EXPECT_TRUE(out[0].gateways.empty());
  EXPECT_EQ(out[1].gateways, std::vector<uint32_t>{0});  // exactly 6 dB stronger
  // 4 dB is not enough: both lost.
  out = m.step({tx(1, 2.0, 2.1), tx(2, 2.05, 2.15)}, 3.0);
  EXPECT_TRUE(out[1].gateways.empty());
  EXPECT_TRUE(out[2].gateways.empty());
}

// Cumulative interference sums the overlapping frames' energy (power x overlap) per SF; with a 6 dB
// capture threshold, two interferers 7 dB below the frame each pass pairwise, but together they are
// 7 - 10 log10(2) = 3.99 dB below it.
TEST(RadioMedium, CumulativeInterferenceSumsTheInterferers) {
  const CityLayout city = layout({{-100}, {-107}, {-107}}, 1);
  const auto cumulative = RadioChannel::Interference::Cumulative;
  const auto orthogonal = RadioChannel::InterSf::Orthogonal;
  Medium pairwise(city, true);
  auto out = pairwise.step({tx(0, 0.0, 0.1), tx(1, 0.0, 0.1), tx(2, 0.0, 0.1)}, 1.0);
  EXPECT_EQ(out[0].gateways, std::vector<uint32_t>{0});
  Medium summed(city, true, 8, orthogonal, cumulative);
  out = summed.step({tx(0, 0.0, 0.1), tx(1, 0.0, 0.1), tx(2, 0.0, 0.1)}, 1.0);
  EXPECT_TRUE(out[0].gateways.empty());
  EXPECT_EQ(out[0].reason, output::FailReason::Collision);
  // One of them alone: 7 dB, captured either way.
  out = summed.step({tx(0, 2.0, 2.1), tx(1, 2.0, 2.1)}, 3.0);
  EXPECT_EQ(out[0].gateways, std::vector<uint32_t>{0});
}

// Energy, not power: an interferer 4 dB below the frame over half of it costs 4 + 3.01 dB of SIR
// (enough for the 6 dB threshold), where the pairwise rule kills the frame.
TEST(RadioMedium, CumulativeInterferenceWeighsTheOverlap) {
  const CityLayout city = layout({{-100}, {-104}}, 1);
  Medium pairwise(city, true);
  auto out = pairwise.step({tx(0, 0.0, 0.2), tx(1, 0.1, 0.3)}, 1.0);
  EXPECT_TRUE(out[0].gateways.empty());
  Medium summed(city, true, 8, RadioChannel::InterSf::Orthogonal, RadioChannel::Interference::Cumulative);
  out = summed.step({tx(0, 0.0, 0.2), tx(1, 0.1, 0.3)}, 1.0);
  EXPECT_EQ(out[0].gateways, std::vector<uint32_t>{0});
  EXPECT_TRUE(out[1].gateways.empty());  // the weaker one: -7.01 dB
  // Without capture any overlap still destroys both, as pairwise.
  Medium no_capture(city, false, 8, RadioChannel::InterSf::Orthogonal,
                    RadioChannel::Interference::Cumulative);
  out = no_capture.step({tx(0, 0.0, 0.2), tx(1, 0.19, 0.3)}, 1.0);
  EXPECT_TRUE(out[0].gateways.empty());
  EXPECT_TRUE(out[1].gateways.empty());
}

TEST(RadioMedium, OtherChannelOtherSfAndTouchingFramesDoNotCollide) {
  const CityLayout city = layout({{-100}, {-100}, {-100}, {-100}}, 1);
  Medium m(city, false);
  auto out = m.step(
      {tx(0, 0.0, 0.1), tx(1, 0.05, 0.15, 868300000), tx(2, 0.05, 0.15, 868100000, 8), tx(3, 0.1, 0.2)}, 1.0);
  for (uint32_t d = 0; d < 4; ++d) EXPECT_EQ(out[d].gateways, std::vector<uint32_t>{0}) << d;
}

TEST(RadioMedium, EachGatewayDecidesForItself) {
  // Device 0 is far stronger at gateway 1 (capture), equal at gateway 0 (both lost), device 2 is only
  // heard by gateway 2.
  const CityLayout city = layout({{-100, -80, kNone}, {-100, -100, kNone}, {kNone, kNone, -120}}, 3);
  Medium m(city, true);
  auto out = m.step({tx(0, 0.0, 0.1), tx(1, 0.02, 0.12), tx(2, 0.0, 0.1)}, 1.0);
  EXPECT_EQ(out[0].gateways, std::vector<uint32_t>{1});
  EXPECT_TRUE(out[1].gateways.empty());
  EXPECT_EQ(out[2].gateways, std::vector<uint32_t>{2});
}

TEST(RadioMedium, AFrameSpanningAWindowWaitsAndCollidesWithTheNextWindow) {
  const CityLayout city = layout({{-100}, {-100}}, 1);
  Medium m(city, false);
  auto out = m.step({tx(0, 0.9, 1.4)}, 1.0);
  EXPECT_TRUE(out.empty());  // still on the air at the window's end
  EXPECT_FALSE(m.idle());
  out = m.step({tx(1, 1.2, 1.3)}, 2.0);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].gateways.empty());
  EXPECT_TRUE(out[1].gateways.empty());
  EXPECT_LT(out[0].seq, out[1].seq);
}

TEST(RadioMedium, TransmissionsStartingAfterTheWindowAreHeldBackAndSequencedInStartOrder) {
  const CityLayout city = layout({{-100}, {-100}}, 1);
  Medium m(city, false);
  // Produced in window 1 but starting in window 2 (a long wake-to-transmit time), while device 1's
  // frame, produced in window 2, starts earlier than it.
  auto out = m.step({tx(0, 1.5, 1.6)}, 1.0);
  EXPECT_TRUE(out.empty());
  out = m.step({tx(1, 1.2, 1.3)}, 2.0);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].seq, 0u);
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_EQ(out[0].gateways.size(), 1u);
  EXPECT_EQ(out[1].gateways.size(), 1u);
}

// The medium judges with the models' rules: on a random busy gateway (many overlapping frames of all
// SFs on two channels, across window boundaries, demodulators never short), every frame's fate is
// the one the models give when handed all the frames at once: ns-3's energy rule (cumulative) or the
// pairwise SIR rule (capture on the diagonal, the matrix between SFs).
struct RandomAir {
  std::vector<Transmission> frames;
  std::vector<models::radio::FrameOnAir> on_air;  // the same, as the models take them
  CityLayout city;
};

RandomAir random_air(uint32_t seed, size_t count, double span_s) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> start(0.0, span_s), length(0.02, 1.5);
  std::uniform_real_distribution<float> rssi(-129.0f, -90.0f);  // above every SF's sensitivity
  std::uniform_int_distribution<int> sf(7, 12), channel(0, 1);
  RandomAir air;
  std::vector<std::vector<float>> rssi_by_device;
  for (uint32_t d = 0; d < count; ++d) {
    rssi_by_device.push_back({rssi(rng)});
    const double t0 = start(rng);
    Transmission t =
        tx(d, t0, t0 + length(rng), channel(rng) == 0 ? 868100000 : 868300000, static_cast<uint8_t>(sf(rng)));
    air.frames.push_back(t);
  }
  air.city = layout(rssi_by_device, 1);
  for (const Transmission& t : air.frames) {
    // The power the medium computes (float), as the models see it.
    const float power = t.tx_power_dbm + air.city.link_gain_db[t.device];
    air.on_air.push_back(
        {t.t_start_s, t.t_end_s, power, t.spreading_factor, static_cast<double>(t.channel_hz)});
  }
  return air;
}

// Runs the frames through a medium in 1 s windows; fates by device.
std::map<uint32_t, output::FailReason> fates(Medium& m, const RandomAir& air, double span_s) {
  std::map<uint32_t, output::FailReason> out;
  for (double t = 1.0; t <= span_s + 3.0; t += 1.0) {
    std::vector<Transmission> window;
    for (const Transmission& f : air.frames)
      if (f.t_start_s >= t - 1.0 && f.t_start_s < t) window.push_back(f);
    for (const auto& [device, o] : m.step(window, t)) out[device] = o.reason;
  }
  return out;
}

TEST(RadioMedium, CumulativeInterferenceIsTheModelsEnergyRule) {
  constexpr double kSpan = 20.0;
  const RandomAir air = random_air(7, 400, kSpan);
  for (const auto mode : {RadioChannel::InterSf::Goursaud, RadioChannel::InterSf::Croce}) {
    const auto matrix = mode == RadioChannel::InterSf::Goursaud ? models::radio::InterferenceMatrix::Goursaud
                                                                : models::radio::InterferenceMatrix::Croce;
    const models::radio::SirThresholds needs = models::radio::sir_thresholds_db({true, 6.0}, matrix);
    Medium m(air.city, true, 1000, mode, RadioChannel::Interference::Cumulative);
    const std::map<uint32_t, output::FailReason> out = fates(m, air, kSpan);
    ASSERT_EQ(out.size(), air.frames.size());
    int collisions = 0, compared = 0;
    for (uint32_t d = 0; d < air.frames.size(); ++d) {
      const models::radio::FrameOnAir& a = air.on_air[d];
      std::array<double, 6> group_mws{};  // per interferer SF: power x overlap
      for (const models::radio::FrameOnAir& b : air.on_air)
        if (&b != &a && b.frequency_hz == a.frequency_hz)
          group_mws[static_cast<size_t>(b.spreading_factor - 7)] +=
              models::radio::energy_mws(b.rssi_dbm, models::radio::overlap_s(a, b));
      const double target_mws = models::radio::energy_mws(a.rssi_dbm, a.end_s - a.start_s);
      // The medium sums energies in single precision: leave out frames within 0.01 dB of a threshold.
      bool borderline = false;
      for (size_t k = 0; k < 6; ++k)
        borderline = borderline || std::abs(models::radio::energy_sir_db(target_mws, group_mws[k]) -
                                            needs[static_cast<size_t>(a.spreading_factor - 7)][k]) < 0.01;
      if (borderline) continue;
      ++compared;
      const bool survives =
          models::radio::destroying_spreading_factor(a.spreading_factor, target_mws, group_mws, needs) == 0;
      // With Goursaud's matrix (co-SF 6 dB) this is ns-3's rule, frame by frame.
      if (mode == RadioChannel::InterSf::Goursaud) {
        EXPECT_EQ(survives, models::radio::survives_interference(a, air.on_air, matrix)) << "frame " << d;
      }
      EXPECT_EQ(out.at(d), survives ? output::FailReason::None : output::FailReason::Collision)
          << "frame " << d;
      collisions += survives ? 0 : 1;
    }
    EXPECT_GT(compared, 390);
    EXPECT_GT(collisions, 40);  // a busy gateway: the rule is exercised both ways
    EXPECT_LT(collisions, compared - 40);
  }
}

TEST(RadioMedium, PairwiseInterferenceIsTheModelsSirRule) {
  constexpr double kSpan = 20.0;
  const RandomAir air = random_air(11, 400, kSpan);
  for (const auto mode : {RadioChannel::InterSf::Orthogonal, RadioChannel::InterSf::Croce}) {
    const models::radio::CaptureRule capture{true, 6.0};
    const models::radio::SirThresholds needs = models::radio::sir_thresholds_db(
        capture, mode == RadioChannel::InterSf::Croce ? std::optional<models::radio::InterferenceMatrix>(
                                                            models::radio::InterferenceMatrix::Croce)
                                                      : std::nullopt);
    Medium m(air.city, true, 1000, mode);
    const std::map<uint32_t, output::FailReason> out = fates(m, air, kSpan);
    ASSERT_EQ(out.size(), air.frames.size());
    int collisions = 0;
    for (uint32_t d = 0; d < air.frames.size(); ++d) {
      const models::radio::FrameOnAir& a = air.on_air[d];
      bool survives = true;
      for (uint32_t e = 0; e < air.frames.size(); ++e) {
        const models::radio::FrameOnAir& b = air.on_air[e];
        if (e == d || b.frequency_hz != a.frequency_hz || models::radio::overlap_s(a, b) <= 0.0) continue;
        survives =
            survives && models::radio::sir_suffices(a.rssi_dbm - b.rssi_dbm,
                                                    needs[static_cast<size_t>(a.spreading_factor - 7)]
                                                         [static_cast<size_t>(b.spreading_factor - 7)]);
      }
      EXPECT_EQ(out.at(d), survives ? output::FailReason::None : output::FailReason::Collision)
          << "frame " << d;
      collisions += survives ? 0 : 1;
    }
    EXPECT_GT(collisions, 40);
    EXPECT_LT(collisions, 360);
  }
}

}  // namespace
}  // namespace citytwin::sim
