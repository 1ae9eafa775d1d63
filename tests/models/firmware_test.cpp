// Tests of the duty-cycle firmware model and of the battery charge arithmetic it feeds.
#include "models/device/firmware.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "models/device/battery.hpp"

namespace citytwin::models::device {
namespace {

constexpr double kTimeTolS = 1e-12;
constexpr double kCurrentTolMa = 1e-12;
constexpr double kChargeTolMah = 1e-12;

// Time on air of 10 B at SF7/125 kHz/CR 4/5 (lora_phy_test): 40.25 symbols x 1.024 ms.
constexpr double kSf7AirtimeS = 0.041216;
// 50 B at SF12/125 kHz/CR 4/5 with LDRO: 70.25 symbols x 32.768 ms.
constexpr double kSf12AirtimeS = 2.301952;

constexpr double kSecondsPerJulianYear = 365.25 * 86400.0;

// A profile whose every field differs from the defaults and from each other, so a mix-up shows.
FirmwareProfile distinct_profile() {
  FirmwareProfile p;
  p.sleep_current_ma = 0.002;
  p.wake_duration_s = 0.011;
  p.wake_current_ma = 3.0;
  p.sense_duration_s = 0.250;
  p.sense_current_ma = 7.5;
  p.process_duration_s = 0.020;
  p.process_current_ma = 4.25;
  p.tx_current_ma = 44.0;
  p.rx1_delay_s = 2.0;
  p.rx_window_duration_s = 0.050;
  p.rx_current_ma = 12.5;
  return p;
}

TEST(FirmwareState, Names) {
  EXPECT_EQ(std::string(to_string(FirmwareState::Sleep)), "sleep");
  EXPECT_EQ(std::string(to_string(FirmwareState::Wake)), "wake");
  EXPECT_EQ(std::string(to_string(FirmwareState::Sense)), "sense");
  EXPECT_EQ(std::string(to_string(FirmwareState::Process)), "process");
  EXPECT_EQ(std::string(to_string(FirmwareState::Transmit)), "transmit");
  EXPECT_EQ(std::string(to_string(FirmwareState::Receive)), "receive");
}

TEST(DutyCycleMachine, StateOrderIsSleepWakeSenseProcessTransmitReceiveSleep) {
  const std::vector<FirmwareState> expected = {
      FirmwareState::Sleep,    FirmwareState::Wake,    FirmwareState::Sense, FirmwareState::Process,
      FirmwareState::Transmit, FirmwareState::Receive, FirmwareState::Sleep};
  std::vector<FirmwareState> walked = {FirmwareState::Sleep};
  for (int i = 0; i < 6; ++i) walked.push_back(DutyCycleMachine::next(walked.back()));
  EXPECT_EQ(walked, expected);
}

TEST(DutyCycleMachine, CycleHasPeriodSix) {
  for (auto start : {FirmwareState::Sleep, FirmwareState::Wake, FirmwareState::Sense, FirmwareState::Process,
                     FirmwareState::Transmit, FirmwareState::Receive}) {
    FirmwareState s = start;
    for (int step = 1; step < 6; ++step) {
      s = DutyCycleMachine::next(s);
      EXPECT_NE(s, start) << to_string(start) << " after " << step << " steps";
    }
    EXPECT_EQ(DutyCycleMachine::next(s), start) << to_string(start);
  }
}

TEST(DutyCycleMachine, PhasesTakeDurationsAndCurrentsFromProfile) {
  const FirmwareProfile p = distinct_profile();
  const DutyCycleMachine m(p);
  const double airtime_s = 0.123;

  const StatePhase wake = m.active_phase(FirmwareState::Wake, airtime_s);
  EXPECT_EQ(wake.state, FirmwareState::Wake);
  EXPECT_DOUBLE_EQ(wake.duration_s, 0.011);
  EXPECT_DOUBLE_EQ(wake.mean_current_ma, 3.0);

  const StatePhase sense = m.active_phase(FirmwareState::Sense, airtime_s);
  EXPECT_EQ(sense.state, FirmwareState::Sense);
  EXPECT_DOUBLE_EQ(sense.duration_s, 0.250);
  EXPECT_DOUBLE_EQ(sense.mean_current_ma, 7.5);

  const StatePhase process = m.active_phase(FirmwareState::Process, airtime_s);
  EXPECT_EQ(process.state, FirmwareState::Process);
  EXPECT_DOUBLE_EQ(process.duration_s, 0.020);
  EXPECT_DOUBLE_EQ(process.mean_current_ma, 4.25);
  EXPECT_DOUBLE_EQ(m.wake_to_tx_s(), 0.011 + 0.250 + 0.020);
  // One sample without radio: (0.011 x 3 + 0.25 x 7.5 + 0.02 x 4.25) mA s / 3600 = 1.993 mA s / 3600.
  EXPECT_NEAR(m.sample_charge_mah(), 1.993 / 3600.0, 1e-12);

  const StatePhase tx = m.active_phase(FirmwareState::Transmit, airtime_s);
  EXPECT_EQ(tx.state, FirmwareState::Transmit);
  EXPECT_DOUBLE_EQ(tx.duration_s, airtime_s);
  EXPECT_DOUBLE_EQ(tx.mean_current_ma, 44.0);

  // Receive: RX1 opens 2 s after the uplink, RX2 1 s later, each 50 ms: 2 + 1 + 0.05 = 3.05 s.
  const StatePhase rx = m.active_phase(FirmwareState::Receive, airtime_s);
  EXPECT_EQ(rx.state, FirmwareState::Receive);
  EXPECT_NEAR(rx.duration_s, 3.05, kTimeTolS);

  const StatePhase sleep = m.sleep(600.0);
  EXPECT_EQ(sleep.state, FirmwareState::Sleep);
  EXPECT_DOUBLE_EQ(sleep.duration_s, 600.0);
  EXPECT_DOUBLE_EQ(sleep.mean_current_ma, 0.002);

  // Sleep is not an active state: asking for it gives an empty stay.
  EXPECT_DOUBLE_EQ(m.active_phase(FirmwareState::Sleep, airtime_s).duration_s, 0.0);

  EXPECT_NEAR(m.wake_to_tx_s(), 0.011 + 0.250 + 0.020, kTimeTolS);
}

TEST(DutyCycleMachine, ReceiveMeanCurrentIntegratesTwoWindowsAndSleepBetween) {
  for (const FirmwareProfile& p : {FirmwareProfile{}, distinct_profile()}) {
    const DutyCycleMachine m(p);
    const StatePhase rx = m.active_phase(FirmwareState::Receive, kSf7AirtimeS);
    const double listening_s = 2.0 * p.rx_window_duration_s;
    const double expected_ma_s =
        listening_s * p.rx_current_ma + (rx.duration_s - listening_s) * p.sleep_current_ma;
    EXPECT_NEAR(rx.mean_current_ma * rx.duration_s, expected_ma_s, 1e-12);
    EXPECT_GT(rx.mean_current_ma, p.sleep_current_ma);
    EXPECT_LT(rx.mean_current_ma, p.rx_current_ma);
  }
  // Default profile by hand: 0.060 s x 10.8 mA + 1.970 s x 0.0015 mA = 0.648 + 0.002955 = 0.650955 mA s
  // over 2.030 s: mean 0.320668 mA.
  const StatePhase rx = DutyCycleMachine(FirmwareProfile{}).active_phase(FirmwareState::Receive, 0.0);
  EXPECT_NEAR(rx.duration_s, 2.030, kTimeTolS);
  EXPECT_NEAR(rx.mean_current_ma * rx.duration_s, 0.650955, 1e-12);
  EXPECT_NEAR(rx.mean_current_ma, 0.650955 / 2.030, kCurrentTolMa);
}

TEST(DutyCycleMachine, ReceiveIndependentOfAirtime) {
  const DutyCycleMachine m(FirmwareProfile{});
  const StatePhase a = m.active_phase(FirmwareState::Receive, kSf7AirtimeS);
  const StatePhase b = m.active_phase(FirmwareState::Receive, kSf12AirtimeS);
  EXPECT_DOUBLE_EQ(a.duration_s, b.duration_s);
  EXPECT_DOUBLE_EQ(a.mean_current_ma, b.mean_current_ma);
}

TEST(DutyCycleMachine, ActiveDurationDefaultProfile) {
  // 0.005 wake + 0.100 sense + 0.041216 transmit + 2.030 receive = 2.176216 s.
  const DutyCycleMachine m(FirmwareProfile{});
  EXPECT_NEAR(m.active_duration_s(kSf7AirtimeS), 2.176216, kTimeTolS);
}

TEST(DutyCycleMachine, ActiveChargeDefaultProfileSf7Frame) {
  // wake     2.0 mA x 0.005 s                             = 0.010     mA s
  // sense    5.0 mA x 0.100 s                             = 0.500     mA s
  // transmit 29 mA x 0.041216 s                           = 1.195264  mA s
  // receive  10.8 mA x 0.060 s + 0.0015 mA x 1.970 s      = 0.650955  mA s
  // sum                                                   = 2.356219  mA s
  //                                         / 3600 s/h    = 6.54505278e-4 mAh
  const DutyCycleMachine m(FirmwareProfile{});
  EXPECT_NEAR(m.active_charge_mah(kSf7AirtimeS), 2.356219 / 3600.0, kChargeTolMah);
  EXPECT_NEAR(m.active_charge_mah(kSf7AirtimeS), 6.54505278e-4, 1e-12);
}

TEST(DutyCycleMachine, ActiveChargeIsSumOfPhaseCharges) {
  const DutyCycleMachine m(distinct_profile());
  double sum = 0.0;
  for (auto s : {FirmwareState::Wake, FirmwareState::Sense, FirmwareState::Process, FirmwareState::Transmit,
                 FirmwareState::Receive}) {
    sum += m.active_phase(s, kSf12AirtimeS).charge_mah();
  }
  EXPECT_NEAR(m.active_charge_mah(kSf12AirtimeS), sum, kChargeTolMah);
  // Longer airtime costs exactly tx current x extra time.
  EXPECT_NEAR(m.active_charge_mah(kSf12AirtimeS) - m.active_charge_mah(kSf7AirtimeS),
              44.0 * (kSf12AirtimeS - kSf7AirtimeS) / 3600.0, kChargeTolMah);
}

TEST(BatteryCharge, OneAmpForOneHourIsOneThousandMah) {
  EXPECT_DOUBLE_EQ(charge_mah(1000.0, 3600.0), 1000.0);
  EXPECT_DOUBLE_EQ(charge_mah(0.0, 3600.0), 0.0);
  EXPECT_DOUBLE_EQ(charge_mah(10.8, 0.0), 0.0);
  EXPECT_NEAR(charge_mah(29.0, kSf7AirtimeS), 1.195264 / 3600.0, kChargeTolMah);
  const StatePhase phase{FirmwareState::Transmit, 2.5, 40.0};
  EXPECT_DOUBLE_EQ(phase.charge_mah(), charge_mah(40.0, 2.5));
}

TEST(BatterySpec, DefaultIsSaftLs14500) {
  const BatterySpec cell;
  EXPECT_DOUBLE_EQ(cell.capacity_mah, 2600.0);
  EXPECT_DOUBLE_EQ(cell.voltage_v, 3.6);
}

// Years a cell lasts when the device reports every interval_s with frames of airtime_s.
double projected_lifetime_years(const DutyCycleMachine& m, const BatterySpec& cell, double interval_s,
                                double airtime_s) {
  const double per_report_mah =
      m.active_charge_mah(airtime_s) + m.sleep(interval_s - m.active_duration_s(airtime_s)).charge_mah();
  const double reports = cell.capacity_mah / per_report_mah;
  return reports * interval_s / kSecondsPerJulianYear;
}

TEST(ProjectedLifetime, FifteenMinuteReportsSf7) {
  // One report every 900 s, SF7 frame (41.216 ms), default profile:
  //   active  2.356219 mA s over 2.176216 s (see ActiveChargeDefaultProfileSf7Frame)
  //   sleep   (900 - 2.176216) s x 0.0015 mA = 897.823784 x 0.0015 = 1.346736 mA s
  //   total   3.702955 mA s per 900 s -> mean current 4.11439 uA
  //   life    2600 mAh / 0.00411439 mA = 631 928 h / 8766 h/yr = 72.09 years
  // (Self-discharge, ~1 %/yr for Li-SOCl2, is not modelled yet, so this is far above a real cell.)
  const DutyCycleMachine m(FirmwareProfile{});
  const double years = projected_lifetime_years(m, BatterySpec{}, 900.0, kSf7AirtimeS);
  EXPECT_NEAR(years, 72.09, 0.01 * 72.09);
}

TEST(ProjectedLifetime, FifteenMinuteReportsSf12) {
  // One report every 900 s, SF12 50 B frame (2.301952 s), default profile:
  //   active  0.010 + 0.500 + 29 x 2.301952 (= 66.756608) + 0.650955 = 67.917563 mA s
  //           over 0.105 + 2.301952 + 2.030 = 4.436952 s
  //   sleep   (900 - 4.436952) s x 0.0015 mA = 1.343345 mA s
  //   total   69.260908 mA s per 900 s -> mean current 76.9566 uA
  //   life    2600 mAh / 0.0769566 mA = 33 785 h / 8766 h/yr = 3.854 years
  const DutyCycleMachine m(FirmwareProfile{});
  const double years = projected_lifetime_years(m, BatterySpec{}, 900.0, kSf12AirtimeS);
  EXPECT_NEAR(years, 3.854, 0.01 * 3.854);
}

}  // namespace
}  // namespace citytwin::models::device
