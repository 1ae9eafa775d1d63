// Tests of the NB-IoT energy and reachability model: PSM / eDRX timer ranges (TS 24.008), downlink delay
// and its mean over a cycle, the charge of one message and the average current of a reporting device.
// All expected values are computed by hand in the comments.
#include "models/radio/nbiot_power.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace citytwin::models::radio {
namespace {

constexpr double kTol = 1e-9;

NbiotTimers psm_timers(double t3324_s, double t3412_s) {
  NbiotTimers t;
  t.active_time_s = t3324_s;
  t.periodic_tau_s = t3412_s;
  return t;
}

NbiotTimers edrx_timers(double t3324_s, double t3412_s) {
  NbiotTimers t = psm_timers(t3324_s, t3412_s);
  t.edrx_cycle_s = 20.48;
  t.paging_time_window_s = 2.56;
  return t;
}

TEST(NbiotPower, CurrentPerPhaseKindIsTheModulesVendorFigures) {
  const NbiotPowerProfile p;
  EXPECT_DOUBLE_EQ(p.current_ma(PhaseKind::Idle), 0.4);
  EXPECT_DOUBLE_EQ(p.current_ma(PhaseKind::Transmit), 167.0);
  EXPECT_DOUBLE_EQ(p.current_ma(PhaseKind::Receive), 54.0);
  EXPECT_DOUBLE_EQ(p.current_ma(PhaseKind::Connected), 54.0);
  EXPECT_DOUBLE_EQ(p.psm_current_ma, 0.003);
}

TEST(NbiotTimers, RangesOfTs24008) {
  for (double c : {20.48, 40.96, 81.92, 163.84, 327.68, 655.36, 1310.72, 2621.44, 5242.88, 10485.76}) {
    EXPECT_TRUE(is_valid_edrx_cycle_s(c)) << c;
  }
  EXPECT_FALSE(is_valid_edrx_cycle_s(10.24));
  EXPECT_FALSE(is_valid_edrx_cycle_s(30.0));
  EXPECT_FALSE(is_valid_edrx_cycle_s(20971.52));
  EXPECT_TRUE(is_valid_paging_time_window_s(2.56));
  EXPECT_TRUE(is_valid_paging_time_window_s(40.96));
  EXPECT_FALSE(is_valid_paging_time_window_s(43.52));
  EXPECT_FALSE(is_valid_paging_time_window_s(3.0));
}

TEST(NbiotTimers, Validation) {
  EXPECT_NO_THROW(validate(NbiotTimers{}));
  EXPECT_NO_THROW(validate(edrx_timers(3600.0, 7200.0)));
  NbiotTimers t = edrx_timers(60.0, 3600.0);
  t.paging_time_window_s = 20.48;  // as long as the cycle: never asleep
  EXPECT_THROW(validate(t), std::invalid_argument);
  NbiotTimers drx;
  drx.drx_cycle_s = 2.0;
  EXPECT_THROW(validate(drx), std::invalid_argument);
  EXPECT_THROW(validate(psm_timers(60.0, 0.0)), std::invalid_argument);
}

TEST(NbiotReachability, DelayWithDrxThenPsm) {
  // T3324 = 60 s, T3412 = 3600 s, DRX 1.28 s: paging occasions at 0, 1.28, ..., 58.88 s.
  const NbiotTimers t = psm_timers(60.0, 3600.0);
  EXPECT_NEAR(downlink_delay_s(t, 0.0), 0.0, kTol);
  EXPECT_NEAR(downlink_delay_s(t, 1.0), 0.28, kTol);
  EXPECT_NEAR(downlink_delay_s(t, 58.0), 0.88, kTol);
  EXPECT_NEAR(downlink_delay_s(t, 59.5), 3540.5, kTol);  // next occasion 60.16 s is already in PSM
  EXPECT_NEAR(downlink_delay_s(t, 100.0), 3500.0, kTol);
  EXPECT_NEAR(downlink_delay_s(t, 3601.0), 0.28, kTol);  // the cycle restarts after the TAU
  EXPECT_THROW(downlink_delay_s(t, -1.0), std::invalid_argument);
}

TEST(NbiotReachability, DelayWithEdrx) {
  // eDRX 20.48 s, PTW 2.56 s, DRX 1.28 s: occasions at 0, 1.28, 20.48, 21.76, 40.96, ...
  const NbiotTimers t = edrx_timers(3600.0, 7200.0);
  EXPECT_NEAR(downlink_delay_s(t, 1.0), 0.28, kTol);
  EXPECT_NEAR(downlink_delay_s(t, 2.0), 18.48, kTol);
  EXPECT_NEAR(downlink_delay_s(t, 20.48), 0.0, kTol);
  EXPECT_NEAR(downlink_delay_s(t, 21.0), 0.76, kTol);
}

TEST(NbiotReachability, MeanAndMaxByHand) {
  // Always reachable (T3324 = T3412 = 12.8 s): ten gaps of 1.28 s -> mean 0.64 s, max 1.28 s.
  const Reachability drx = downlink_reachability(psm_timers(12.8, 12.8));
  EXPECT_NEAR(drx.mean_delay_s, 0.64, kTol);
  EXPECT_NEAR(drx.max_delay_s, 1.28, kTol);
  // Never reachable (T3324 = 0): mean T3412 / 2, max T3412.
  const Reachability psm = downlink_reachability(psm_timers(0.0, 3600.0));
  EXPECT_NEAR(psm.mean_delay_s, 1800.0, kTol);
  EXPECT_NEAR(psm.max_delay_s, 3600.0, kTol);
  // T3324 = 60 s, T3412 = 3600 s: 46 gaps of 1.28 s up to 58.88 s, then 3541.12 s to the TAU.
  const Reachability mixed = downlink_reachability(psm_timers(60.0, 3600.0));
  EXPECT_NEAR(mixed.mean_delay_s, (46 * 1.28 * 1.28 + 3541.12 * 3541.12) / 7200.0, 1e-6);
  EXPECT_NEAR(mixed.max_delay_s, 3541.12, 1e-9);
  // eDRX, T3324 = T3412 = 40.96 s: occasions 0, 1.28, 20.48, 21.76; gaps 1.28, 19.2, 1.28, 19.2.
  const Reachability edrx = downlink_reachability(edrx_timers(40.96, 40.96));
  EXPECT_NEAR(edrx.mean_delay_s, (2 * 1.28 * 1.28 + 2 * 19.2 * 19.2) / (2 * 40.96), 1e-9);
  EXPECT_NEAR(edrx.max_delay_s, 19.2, 1e-9);
}

TEST(NbiotReachability, MeanIsTheAverageOfTheDelayFunction) {
  // Midpoint rule on a 1 ms grid over the whole cycle.
  for (const NbiotTimers& t : {psm_timers(60.0, 600.0), edrx_timers(200.0, 600.0)}) {
    double sum = 0.0;
    const int n = 600000;
    for (int i = 0; i < n; ++i) sum += downlink_delay_s(t, (i + 0.5) * 600.0 / n);
    EXPECT_NEAR(sum / n, downlink_reachability(t).mean_delay_s, 1e-3);
  }
}

// A device that sends uplinks is reachable during each one's connected time and the idle cycle after it,
// not only after each TAU: the cycle is the gap between uplinks when that is shorter than T3412.
TEST(NbiotReachability, PeriodicUplinksRestartTheCycleByHand) {
  // Every 300 s, 20 s connected, T3324 = 60 s, DRX 1.28 s, T3412 = 24 h: 46 gaps of 1.28 s after the
  // release (occasions 0 .. 58.88 s), then 280 - 58.88 = 221.12 s to the next uplink.
  const NbiotTimers t = psm_timers(60.0, 86400.0);
  EXPECT_NEAR(mean_downlink_delay_s(t, 300.0, UplinkTiming::Periodic, 20.0),
              (46 * 1.28 * 1.28 + 221.12 * 221.12) / 2.0 / 300.0, 1e-9);
  // Every 2 h with T3412 = 1 h: a TAU at 3600 s after the release restarts the active time; then
  // 7180 - 3658.88 = 3521.12 s to the next uplink.
  const NbiotTimers tau = psm_timers(60.0, 3600.0);
  EXPECT_NEAR(mean_downlink_delay_s(tau, 7200.0, UplinkTiming::Periodic, 20.0),
              (2 * 46 * 1.28 * 1.28 + 3541.12 * 3541.12 + 3521.12 * 3521.12) / 2.0 / 7200.0, 1e-9);
  // Uplinks closer than the connected time: always connected.
  EXPECT_EQ(mean_downlink_delay_s(t, 15.0, UplinkTiming::Periodic, 20.0), 0.0);
  // No uplinks: the TAU cycle alone.
  EXPECT_EQ(mean_downlink_delay_s(t, std::numeric_limits<double>::infinity(), UplinkTiming::Periodic, 20.0),
            downlink_reachability(t).mean_delay_s);
  EXPECT_THROW(mean_downlink_delay_s(t, 0.0, UplinkTiming::Periodic, 20.0), std::invalid_argument);
}

TEST(NbiotReachability, PoissonUplinksAgreeWithTheExponentialsTheory) {
  // No active time, no connected time, T3412 far beyond the gaps: reachable only at the uplinks, which
  // come as a Poisson process, so the wait from a random instant is exponential with the same mean
  // (memorylessness): 600 s.
  const NbiotTimers never = psm_timers(0.0, 1e9);
  EXPECT_NEAR(mean_downlink_delay_s(never, 600.0, UplinkTiming::Poisson, 0.0), 600.0, 0.01);
  // c s connected after each uplink: E[(g - c)+^2] / (2 E[g]) = mu e^(-c / mu) for exponential g.
  EXPECT_NEAR(mean_downlink_delay_s(never, 600.0, UplinkTiming::Poisson, 20.0),
              600.0 * std::exp(-20.0 / 600.0), 0.6);
  // Periodic uplinks of the same mean wait half as long: (600 - 20)^2 / 2 / 600.
  EXPECT_NEAR(mean_downlink_delay_s(never, 600.0, UplinkTiming::Periodic, 20.0), 580.0 * 580.0 / 1200.0,
              1e-9);
}

TEST(NbiotEnergy, MessageChargeByHand) {
  // idle 0.32 s x 0.4 mA = 0.128; transmit 0.0112 s x 167 = 1.8704; receive 0.008 x 54 = 0.432;
  // connected 0.004 x 54 = 0.216; inactivity 20 s x 54 = 1080. Total 1082.6464 mA s = 3.89752704 J.
  UplinkProcedure p;
  p.phases = {{"wait", PhaseKind::Idle, 0.32},
              {"preamble", PhaseKind::Transmit, 0.0112},
              {"rar", PhaseKind::Receive, 0.008},
              {"gap", PhaseKind::Connected, 0.004}};
  const MessageEnergy e = message_energy(p, NbiotPowerProfile{}, NbiotTimers{});
  EXPECT_NEAR(e.burst.charge_mas, 1082.6464, kTol);
  EXPECT_NEAR(e.burst.duration_s, 20.3432, kTol);
  EXPECT_NEAR(e.charge_by_kind_mas[static_cast<size_t>(PhaseKind::Transmit)], 1.8704, kTol);
  EXPECT_NEAR(e.charge_by_kind_mas[static_cast<size_t>(PhaseKind::Connected)], 1080.216, kTol);
  EXPECT_NEAR(e.energy_j, 1.0826464 * 3.6, kTol);
  EXPECT_NEAR(e.charge_mah(), 1082.6464 / 3600.0, kTol);
}

TEST(NbiotEnergy, Ce2MessageIsDominatedByRepetitions) {
  // 105 bytes at CE2: transmitting 0.1792 + 1.024 + 0.128 + 5.12 = 6.4512 s at 167 mA = 1077.3504 mA s.
  const UplinkProcedure p = uplink_procedure(105, CeLevel::Ce2, NbiotCellConfig{});
  const MessageEnergy e = message_energy(p, NbiotPowerProfile{}, NbiotTimers{});
  EXPECT_NEAR(e.charge_by_kind_mas[static_cast<size_t>(PhaseKind::Transmit)], 1077.3504, 1e-9);
  const MessageEnergy ce0 = message_energy(uplink_procedure(105, CeLevel::Ce0, NbiotCellConfig{}),
                                           NbiotPowerProfile{}, NbiotTimers{});
  EXPECT_GT(e.burst.charge_mas, ce0.burst.charge_mas);
}

TEST(NbiotEnergy, IdleChargeByHand) {
  const NbiotPowerProfile p;
  // DRX: 60 s x 0.4 mA + 3540 s x 0.003 mA = 24 + 10.62 = 34.62 mA s.
  EXPECT_NEAR(idle_charge_mas(3600.0, psm_timers(60.0, 86400.0), p), 34.62, kTol);
  // Shorter than T3324: all idle.
  EXPECT_NEAR(idle_charge_mas(30.0, psm_timers(60.0, 86400.0), p), 12.0, kTol);
  // eDRX, T3324 = 100 s: 4 full cycles (81.92 s) + 18.08 s -> listening 4 x 2.56 + 2.56 = 12.8 s;
  // 12.8 x 0.4 + 87.2 x 0.003 + 500 x 0.003 = 5.12 + 0.2616 + 1.5 = 6.8816 mA s over 600 s.
  EXPECT_NEAR(idle_charge_mas(600.0, edrx_timers(100.0, 86400.0), p), 6.8816, kTol);
  EXPECT_THROW(idle_charge_mas(-1.0, NbiotTimers{}, p), std::invalid_argument);
}

TEST(NbiotEnergy, IdleCycleAverageCurrent) {
  // T3324 = 60 s, T3412 = 3600 s, a TAU burst of 10 s and 600 mA s: (34.62 + 600) / 3610 mA.
  const ActivityBurst tau{10.0, 600.0};
  EXPECT_NEAR(idle_cycle_average_current_ma(psm_timers(60.0, 3600.0), NbiotPowerProfile{}, tau),
              634.62 / 3610.0, kTol);
}

TEST(NbiotEnergy, ReportingAverageCurrentByHand) {
  const NbiotPowerProfile p;
  const ActivityBurst msg{20.0, 1000.0};
  const ActivityBurst tau{10.0, 600.0};
  // Hourly, T3412 = 24 h: no TAU. Gap 3580 s: 60 x 0.4 + 3520 x 0.003 = 34.56; (1000 + 34.56) / 3600.
  const NbiotTimers daily_tau = psm_timers(60.0, 86400.0);
  EXPECT_NEAR(reporting_average_current_ma(msg, 3600.0, daily_tau, p, tau), 1034.56 / 3600.0, kTol);
  // Every two days: gap 172780 s; one TAU after 86400 s of idle; then 172780 - 86410 = 86370 s.
  // Idle segments: 24 + 86340 x 0.003 = 283.02 and 24 + 86310 x 0.003 = 282.93.
  const double expected = (1000.0 + 283.02 + 600.0 + 282.93) / 172800.0;
  EXPECT_NEAR(reporting_average_current_ma(msg, 172800.0, daily_tau, p, tau), expected, 1e-12);
  // Reporting less often never costs more on average.
  EXPECT_LT(reporting_average_current_ma(msg, 7200.0, daily_tau, p, tau),
            reporting_average_current_ma(msg, 3600.0, daily_tau, p, tau));
  EXPECT_THROW(reporting_average_current_ma(msg, 10.0, daily_tau, p, tau), std::invalid_argument);
}

}  // namespace
}  // namespace citytwin::models::radio
