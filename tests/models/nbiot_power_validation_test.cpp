// Validation of the NB-IoT energy model against 3GPP TR 45.820's battery-life evaluation (the Rel-13
// cellular IoT study: methodology in 5.4, NB-IoT results in 7.3.6.4). The module's power in each state is
// set to the TR's assumptions, as currents at the model's 3.6 V supply; the battery is the TR's 5 Wh
// without leakage; the life is projected as the battery_life_years KPI projects it
// (models::device::projected_lifetime_years, here without self-discharge).
//
// Published numbers, and where each was read:
// - 5 Wh "without consideration of battery leakage"; a report is an uplink IP packet and the downlink IP
//   acknowledgement of it (techplayon.com, "IoT Device Battery Life 10 Years ... Battery life Calculation
//   for NB-IoT Device", after TR 45.820 5.4).
// - idle 0.015 mW: "38 years" always idle; transmitting 500 mW: "10 hours"; 200 bytes once every 2 hours:
//   1.7 years; 50 bytes once a day: 18.1 years (M. Sauter, "From GSM to LTE-Advanced Pro and 5G", Wiley,
//   p. 318, from TR 45.820 7.3.6.4; the same calculation in his blog post as copied on blog.3g4g.co.uk,
//   2017-05-07). The passage does not name the coupling loss of the last two: they are taken as the
//   164 dB (CE2) figures, since 1.7 years for 200 B every 2 h leaves 2.3 J a report, over 4 s of
//   transmission at 500 mW, where 200 B take 0.13 s at 144 dB (citytwin's CE0 timeline).
// - receive 80 mW and idle light sleep 3 mW: TR 45.820 5.4 as remembered, not read in a source here; the
//   figures below hang on them only through the receive phases and the gaps of the procedure.
//
// Tolerance: 25 % of the life. A careful model of one device in one configuration lands up to 21 % from
// its measured battery life (Andres-Maldonado, Lauridsen, Ameigeiras, Lopez-Soler, "Analytical Modeling
// and Experimental Validation of NB-IoT Device Energy Consumption", IEEE IoT J. 6, 2019: maximum relative
// error 21 %), within 5 % at best (Sorensen et al., "Modelling and Experimental
// Validation for Battery Lifetime Estimation in NB-IoT and LTE-M", arXiv 2106.13286). The event sequences
// differ here in known ways, each with its direction:
// - citytwin has no resynchronisation after PSM (NPSS/NSSS, MIB-NB) and no downlink acknowledgement of
//   the report; the TR's event model starts from scanning and ends with that acknowledgement (techplayon,
//   above): citytwin spends less;
// - citytwin's CE2 uplink data (NPUSCH I_TBS 2, 32 repetitions on one 15 kHz tone, models/radio/
//   nbiot_phy.hpp: 424 bits in 2.56 s, 166 bit/s) is about four times slower than the uplink the two
//   published figures imply (they differ by 0.88 J for 150 bytes: at most 1.76 s at 500 mW for 1,200
//   bits, 680 bit/s or more): citytwin spends more, in proportion to the payload;
// - the control channels' repetitions (NPDCCH R_max 128, the Msg4 HARQ-ACK 64 times) are a deployed
//   cell's (nbiot_phy.hpp), the TR's its own.
// The RRC inactivity timer and T3324 are set to 0 here: the TR's device is released after the exchange
// and sleeps in PSM until the next report (as remembered of its event model; not read here).
// DefaultTimersOutweighTheTrsAccessEnergy shows what citytwin's defaults add.
#include <gtest/gtest.h>

#include <cmath>

#include "models/device/battery.hpp"
#include "models/radio/nbiot_power.hpp"

namespace citytwin::models::radio {
namespace {

constexpr double kSupplyV = 3.6;    // NbiotPowerProfile's supply: a Li-SOCl2 primary cell
constexpr double kBatteryWh = 5.0;  // TR 45.820 5.4 (techplayon; Sauter)
constexpr double kBatteryJ = kBatteryWh * 3600.0;
constexpr double kCapacityMah = kBatteryWh * 1000.0 / kSupplyV;  // 1388.9 mAh
constexpr double kTxMw = 500.0;                                  // 23 dBm; Sauter, p. 318
constexpr double kRxMw = 80.0;                                   // as remembered of TR 45.820 5.4
constexpr double kLightSleepMw = 3.0;                            // as remembered of TR 45.820 5.4
constexpr double kDeepSleepMw = 0.015;                           // Sauter, p. 318 ("idle")
constexpr double kTolerance = 0.25;                              // see the top of the file

constexpr double kTwoHoursS = 7200.0;
constexpr double kDayS = 86400.0;
constexpr double kYearS = device::kSecondsPerYear;  // 365.25 days, the projection's year

double ma(double mw) { return mw / kSupplyV; }

// The TR's powers: connected mode between activities monitors NPDCCH (receive); idle with DRX between
// paging occasions is light sleep; PSM (and eDRX sleep) deep sleep.
NbiotPowerProfile tr_power() {
  NbiotPowerProfile p;
  p.tx_current_ma = ma(kTxMw);
  p.rx_current_ma = ma(kRxMw);
  p.connected_current_ma = ma(kRxMw);
  p.idle_current_ma = ma(kLightSleepMw);
  p.psm_current_ma = ma(kDeepSleepMw);
  p.edrx_sleep_current_ma = ma(kDeepSleepMw);
  p.supply_voltage_v = kSupplyV;
  return p;
}

// Released after the exchange, then PSM until the next report (T3412 of a day: no TAU between reports).
NbiotTimers tr_timers() {
  NbiotTimers t;
  t.rrc_inactivity_s = 0.0;
  t.active_time_s = 0.0;
  return t;
}

// One report's module energy as the cells charge it (sim/access/nbiot_network.cpp): the procedure from the
// preamble on (the wait for the NPRACH occasion is sleep), then the RRC tail.
MessageEnergy report_energy(int bytes, const NbiotTimers& timers, const NbiotPowerProfile& power) {
  UplinkProcedureParams params;
  params.nprach_wait_s = 0.0;
  return message_energy(uplink_procedure(bytes, CeLevel::Ce2, NbiotCellConfig{}, params), power, timers);
}

// Years on the 5 Wh battery, reporting every interval_s: the report, then idle and PSM until the next.
double life_years(int bytes, double interval_s, const NbiotTimers& timers, const NbiotPowerProfile& power) {
  const MessageEnergy e = report_energy(bytes, timers, power);
  const double current_ma = reporting_average_current_ma(e.burst, interval_s, timers, power, ActivityBurst{});
  return device::projected_lifetime_years(kCapacityMah, current_ma, 0.0);
}

// Years on the battery when each report costs report_j on top of the deep-sleep floor.
double life_years_at(double report_j, double interval_s) {
  const double per_second_w = report_j / interval_s + kDeepSleepMw / 1000.0;
  return kBatteryJ / per_second_w / kYearS;
}

// The energy a report costs on top of the deep-sleep floor, from a published life (the inverse).
double published_report_j(double years, double interval_s) {
  const double reports = years * kYearS / interval_s;
  return kBatteryJ / reports - kDeepSleepMw / 1000.0 * interval_s;
}

struct Published {
  int bytes;
  double interval_s;
  double years;
};
constexpr Published kFiftyBytesDaily{50, kDayS, 18.1};
constexpr Published kTwoHundredBytesTwoHourly{200, kTwoHoursS, 1.7};

// The TR's energy is linear in the payload (only the data transmission grows): e(B) = fixed + per_byte B,
// solved from its two 164 dB figures. fixed: 1.133 J; per_byte: 5.873 mJ.
double tr_per_byte_j() {
  const double small = published_report_j(kFiftyBytesDaily.years, kFiftyBytesDaily.interval_s);
  const double large =
      published_report_j(kTwoHundredBytesTwoHourly.years, kTwoHundredBytesTwoHourly.interval_s);
  return (large - small) / (kTwoHundredBytesTwoHourly.bytes - kFiftyBytesDaily.bytes);
}
double tr_fixed_j() {
  return published_report_j(kFiftyBytesDaily.years, kFiftyBytesDaily.interval_s) -
         tr_per_byte_j() * kFiftyBytesDaily.bytes;
}

double relative_error(double value, double reference) { return value / reference - 1.0; }

// The methodology's own arithmetic, as the projection does it: 5 Wh over 0.015 mW is 333,333 h, 38.0 years
// of 365.25 days; over 500 mW, 10 h.
TEST(NbiotPowerValidation, Tr45820IdleAndTransmitLimits) {
  EXPECT_NEAR(device::projected_lifetime_years(kCapacityMah, ma(kDeepSleepMw), 0.0), 38.0, 0.05);
  EXPECT_NEAR(device::projected_lifetime_years(kCapacityMah, ma(kTxMw), 0.0) * kYearS / 3600.0, 10.0, 1e-9);
  // The inverse used below: a life spent in deep sleep alone leaves nothing for reports.
  const double idle_years = kBatteryJ / (kDeepSleepMw / 1000.0) / kYearS;
  EXPECT_NEAR(published_report_j(idle_years, kDayS), 0.0, 1e-9);
}

// 50 B once a day at 164 dB: 18.1 years published; citytwin 14.7 (-19 %), within the tolerance. The
// deep-sleep floor (1.30 J a day) and the access procedure weigh most; citytwin's slower uplink costs
// 0.94 J more a report than the TR's (50 x (24.6 - 5.9) mJ), the events it omits 0.31 J less.
TEST(NbiotPowerValidation, FiftyBytesDailyAt164dBWithinTolerance) {
  const double years =
      life_years(kFiftyBytesDaily.bytes, kFiftyBytesDaily.interval_s, tr_timers(), tr_power());
  EXPECT_LT(std::abs(relative_error(years, kFiftyBytesDaily.years)), kTolerance) << years << " years";
}

// 200 B every 2 h at 164 dB: 1.7 years published; citytwin 0.70 (-59 %), outside the tolerance, and the
// cause is the uplink data rate: citytwin's 150 more bytes cost, by hand, two more 10-RU blocks and one of
// 8 RUs, 28 RUs x 8 ms x 32 repetitions = 7.168 s at 500 mW (3.584 J), their 3 NPDCCH (0.384 s), uplink
// gaps (0.36 + 0.36 + 0.28 s) at 80 mW (0.11072 J) and 3 DCI offsets of 8 ms connected at 80 mW
// (0.00192 J): 3.69664 J, against the 0.881 J the two published figures differ by.
TEST(NbiotPowerValidation, TwoHourlyReportsAt164dBDifferByTheUplinkRate) {
  const double years = life_years(kTwoHundredBytesTwoHourly.bytes, kTwoHundredBytesTwoHourly.interval_s,
                                  tr_timers(), tr_power());
  EXPECT_LT(relative_error(years, kTwoHundredBytesTwoHourly.years), -kTolerance) << years << " years";
  const double extra_j = report_energy(200, tr_timers(), tr_power()).energy_j -
                         report_energy(50, tr_timers(), tr_power()).energy_j;
  EXPECT_NEAR(extra_j, 3.69664, 1e-9);
  EXPECT_NEAR(tr_per_byte_j() * 150.0, 0.881, 0.001);
  EXPECT_GT(extra_j, 4.0 * tr_per_byte_j() * 150.0);
}

// The rest of citytwin's timeline against the TR's: with the payload charged at the TR's own cost per
// byte, both published figures are met within the tolerance (20.5 years for 18.1, +13 %; 1.95 for 1.7,
// +15 %), and from above, as the events citytwin omits (resynchronisation, the downlink acknowledgement)
// say they should be: citytwin's payload-independent energy (0.82 J: random access, RRC setup, the
// data's control) is below the TR's (1.13 J).
TEST(NbiotPowerValidation, AtTheTrsUplinkCostBothFiguresAgree) {
  const double small_j = report_energy(50, tr_timers(), tr_power()).energy_j;
  const double large_j = report_energy(200, tr_timers(), tr_power()).energy_j;
  const double citytwin_per_byte_j = (large_j - small_j) / 150.0;
  const double citytwin_fixed_j = small_j - 50.0 * citytwin_per_byte_j;
  EXPECT_LT(citytwin_fixed_j, tr_fixed_j());
  for (const Published& p : {kFiftyBytesDaily, kTwoHundredBytesTwoHourly}) {
    const double years = life_years_at(citytwin_fixed_j + tr_per_byte_j() * p.bytes, p.interval_s);
    EXPECT_GT(years, p.years) << p.bytes << " B";
    EXPECT_LT(relative_error(years, p.years), kTolerance) << p.bytes << " B: " << years << " years";
  }
  // The projection helper agrees with the model's own average current (same battery, no leakage).
  EXPECT_NEAR(life_years_at(small_j, kDayS), life_years(50, kDayS, tr_timers(), tr_power()), 1e-3);
}

// citytwin's default timers, not the TR's: the 20 s RRC inactivity tail monitors NPDCCH at receive power,
// 20 s x 80 mW = 1.6 J a report, more than the TR's whole payload-independent energy (1.13 J); T3324's
// 60 s of DRX idle adds 60 s x 3 mW = 0.18 J. 50 B a day at 164 dB falls from 14.7 to 9.6 years.
TEST(NbiotPowerValidation, DefaultTimersOutweighTheTrsAccessEnergy) {
  const NbiotTimers defaults;
  const double tail_j =
      report_energy(50, defaults, tr_power()).energy_j - report_energy(50, tr_timers(), tr_power()).energy_j;
  EXPECT_NEAR(tail_j, 20.0 * kRxMw / 1000.0, 1e-9);
  EXPECT_GT(tail_j, tr_fixed_j());
  const double idle_j = idle_charge_mas(kDayS, defaults, tr_power()) / 1000.0 * kSupplyV -
                        idle_charge_mas(kDayS, tr_timers(), tr_power()) / 1000.0 * kSupplyV;
  EXPECT_NEAR(idle_j, 60.0 * (kLightSleepMw - kDeepSleepMw) / 1000.0, 1e-9);
  EXPECT_LT(life_years(50, kDayS, defaults, tr_power()), 10.0);
}

}  // namespace
}  // namespace citytwin::models::radio
