// Tests of the battery model: self-discharge, closed-form drain and lifetime, solar harvesting.
// Expected values are computed by hand (formulas in the comments).
#include "models/device/battery.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace citytwin::models::device {
namespace {

constexpr double kHour = 3600.0;
constexpr double kDay = 86400.0;
constexpr double kPi = 3.14159265358979323846;
constexpr double kHoursPerYear = 8766.0;  // Julian year

TEST(BatterySpec, DefaultIsAPrimaryLithiumThionylChlorideCell) {
  const BatterySpec cell;
  EXPECT_DOUBLE_EQ(cell.capacity_mah, 2600.0);
  EXPECT_DOUBLE_EQ(cell.voltage_v, 3.6);
  EXPECT_DOUBLE_EQ(cell.self_discharge_per_year, 0.01);
  EXPECT_FALSE(cell.rechargeable);
}

// The pulse rating is a flag: a draw strictly above it exceeds it, a draw at it is within ("up to 150 mA").
// 150 mA: the default AA bobbin Li-SOCl2 cell (Saft LS14500's pulse capability); 167 mA: an NB-IoT modem
// at 23 dBm (China Mobile M5311, models/radio/nbiot_power.hpp); 120 mA: the SX1276 at +20 dBm, its most
// (Semtech datasheet table 6), within the AA cell's rating at any LoRa power.
TEST(PulseRating, StrictlyAboveTheRatingExceedsIt) {
  const BatterySpec aa;
  EXPECT_DOUBLE_EQ(aa.max_pulse_current_ma, 150.0);
  EXPECT_TRUE(exceeds_pulse_rating(aa, 167.0));
  EXPECT_FALSE(exceeds_pulse_rating(aa, 100.0));
  EXPECT_FALSE(exceeds_pulse_rating(aa, 150.0));
  EXPECT_TRUE(exceeds_pulse_rating(aa, std::nextafter(150.0, 200.0)));
  EXPECT_FALSE(exceeds_pulse_rating(aa, 120.0));
  // A hybrid cell rated for the modem's bursts (written as battery.max_pulse_current) carries them.
  EXPECT_FALSE(exceeds_pulse_rating(BatterySpec{.max_pulse_current_ma = 1000.0}, 167.0));
}

TEST(SelfDischarge, RateMatchesTheFractionLostOverAYearOnTheShelf) {
  // k = -ln(0.99) / (365.25 x 86400 s) = 0.0100503 / 31 557 600 = 3.18476e-10 /s.
  EXPECT_NEAR(self_discharge_rate_per_s(0.01), 3.184759e-10, 1e-15);
  EXPECT_DOUBLE_EQ(self_discharge_rate_per_s(0.0), 0.0);
  // A shelved cell loses exactly the datasheet fraction in a year: 1 % of 2600 mAh = 26 mAh.
  EXPECT_NEAR(self_discharge_mah(2600.0, kSecondsPerYear, kSelfDischargeLiSocl2PerYear), 26.0, 1e-9);
  // Alkaline 2.5 %/yr of 2500 mAh.
  EXPECT_NEAR(self_discharge_mah(2500.0, kSecondsPerYear, kSelfDischargeAlkalinePerYear), 62.5, 1e-9);
  // Li-ion 0.262 per year is 2.5 % per month: 1 - 0.738^(1/12) = 0.02500.
  EXPECT_NEAR(self_discharge_mah(1000.0, kSecondsPerYear / 12.0, kSelfDischargeLiIonPerYear), 25.0, 0.01);
  // Two years lose 1 - 0.99^2 = 1.99 %: proportional to what is left.
  EXPECT_NEAR(self_discharge_mah(1000.0, 2.0 * kSecondsPerYear, 0.01), 19.9, 1e-9);
}

TEST(ChargeAfter, WithoutSelfDischargeIsLinear) {
  // 2600 mAh - 0.01 mA x 8766 h = 2600 - 87.66 = 2512.34 mAh.
  EXPECT_NEAR(charge_after_mah(2600.0, 0.01, kSecondsPerYear, 0.0), 2512.34, 1e-9);
}

TEST(ChargeAfter, ClosedFormWithSelfDischarge) {
  // Q0 = 1000 mAh, I = 0.1 mA = 876.6 mAh/yr, f = 1 %/yr -> k = 0.0100503/yr, over one year:
  // Q = (Q0 + I/k) e^-k - I/k = (1000 + 87 220.99) x 0.99 - 87 220.99 = 117.790 mAh
  // (the load alone leaves 123.4, self-discharge alone 990).
  EXPECT_NEAR(charge_after_mah(1000.0, 0.1, kSecondsPerYear, 0.01), 117.790342, 1e-6);
}

// The fleet computes the rate constant once per population: the same charge, bit for bit.
TEST(ChargeAfter, AtAGivenRateIsTheSameBitForBit) {
  for (const double per_year : {0.0, 0.01, 0.03, 0.2})
    for (const double slept_s : {0.0, 1.0, 600.0, 86400.0 * 30.0})
      for (const double stored : {0.0, 1e-6, 2.5, 19000.0})
        EXPECT_EQ(charge_after_mah_at_rate(stored, 0.002, slept_s, self_discharge_rate_per_s(per_year)),
                  charge_after_mah(stored, 0.002, slept_s, per_year))
            << per_year << " " << slept_s << " " << stored;
}

TEST(ChargeAfter, ComposesOverSplitIntervals) {
  const double whole = charge_after_mah(2000.0, 0.3, 1.7e7, kSelfDischargeLiIonPerYear);
  const double split = charge_after_mah(charge_after_mah(2000.0, 0.3, 0.6e7, kSelfDischargeLiIonPerYear), 0.3,
                                        1.1e7, kSelfDischargeLiIonPerYear);
  EXPECT_NEAR(whole, split, 1e-9);
}

TEST(ChargeAfter, EmptiesToZeroAndStaysDead) {
  EXPECT_DOUBLE_EQ(charge_after_mah(10.0, 1.0, 11.0 * kHour, 0.01), 0.0);
  EXPECT_DOUBLE_EQ(charge_after_mah(0.0, 0.0, kHour, 0.01), 0.0);
  EXPECT_DOUBLE_EQ(charge_after_mah(-1.0, 0.0, kHour, 0.0), 0.0);
}

TEST(TimeToEmpty, InvertsChargeAfter) {
  const double t = time_to_empty_s(2600.0, 0.05, 0.01);
  EXPECT_NEAR(charge_after_mah(2600.0, 0.05, t, 0.01), 0.0, 1e-6);
  EXPECT_GT(charge_after_mah(2600.0, 0.05, 0.999 * t, 0.01), 0.0);
  // No load: the proportional model never empties; no charge: empty now.
  EXPECT_EQ(time_to_empty_s(2600.0, 0.0, 0.01), std::numeric_limits<double>::infinity());
  EXPECT_DOUBLE_EQ(time_to_empty_s(0.0, 1.0, 0.01), 0.0);
}

// A run's drain says what load took it there: the inverse of charge_after_mah.
TEST(LoadCurrent, InvertsChargeAfter) {
  const double k = self_discharge_rate_per_s(0.01);
  for (const double load_ma : {0.0, 4.114e-3, 0.05, 1.0})
    for (const double t_s : {3600.0, 86400.0, 30 * 86400.0}) {
      const double left = charge_after_mah(2600.0, load_ma, t_s, 0.01);
      EXPECT_NEAR(load_current_ma(2600.0, left, t_s, k), load_ma, 1e-9 + 1e-7 * load_ma)
          << load_ma << " " << t_s;
    }
  // Without self-discharge: the drain over the time; no time, or more charge than at the start: no load.
  EXPECT_DOUBLE_EQ(load_current_ma(2600.0, 2590.0, 36000.0, 0.0), 1.0);
  EXPECT_EQ(load_current_ma(2600.0, 2590.0, 0.0, k), 0.0);
  EXPECT_EQ(load_current_ma(2600.0, 2600.0, 3600.0, k), 0.0);
}

TEST(ProjectedLifetime, DefaultFirmwareAtFifteenMinutesWithSelfDischarge) {
  // The SF7 case of firmware_test: 3.702955 mA s per 900 s -> I = 4.114394 uA = 36.0668 mAh/yr;
  // without self-discharge 2600 / 36.0668 = 72.09 years.
  // With 1 %/yr: T = ln(1 + k Q / I) / k = ln(1 + 0.0100503 x 2600 / 36.0668) / 0.0100503
  //            = ln(1.724510) / 0.0100503 = 54.22 years.
  // (A constant loss of 26 mAh/yr would give 2600 / (36.0668 + 26) = 41.89 years.)
  const double current_ma = 3.702955 / 900.0;
  EXPECT_NEAR(projected_lifetime_years(2600.0, current_ma, 0.0), 72.0885, 1e-3);
  EXPECT_NEAR(projected_lifetime_years(2600.0, current_ma, 0.01), 54.2216, 1e-3);
}

TEST(ProjectedLifetime, AgreesWithConstantLossWhenSelfDischargeIsSmallOverTheLife) {
  // 1 mA from 2600 mAh: 8766 mAh/yr. Proportional: ln(1 + 26.131 / 8766) / 0.0100503 = 0.296159 yr;
  // constant loss: 2600 / (8766 + 26) = 0.295723 yr; 0.15 % apart.
  EXPECT_NEAR(projected_lifetime_years(2600.0, 1.0, 0.01), 0.296159, 1e-6);
  EXPECT_NEAR(projected_lifetime_years(2600.0, 1.0, 0.01), 2600.0 / (kHoursPerYear + 26.0), 0.002 * 0.2957);
}

// --- Service life: the rated life caps the projection -------------------------------------------------

TEST(ServiceLife, DefaultCellIsRatedTwentyYears) {
  EXPECT_DOUBLE_EQ(BatterySpec{}.service_life_s, 20.0 * 365.25 * kDay);
  EXPECT_DOUBLE_EQ(kServiceLifeLiSocl2Years, 20.0);
}

// The generic firmware at 15 min and SF7 (the case above): the charge alone would last 54.22 years, beyond
// the cell's rated 20: the service life bounds it, and the projection says so.
TEST(ServiceLife, CapsTheProjectionWhenTheDrainIsTiny) {
  const LifetimeProjection life = project_lifetime(BatterySpec{}, 3.702955 / 900.0);
  EXPECT_NEAR(life.energy_years, 54.2216, 1e-3);
  EXPECT_DOUBLE_EQ(life.service_life_years, 20.0);
  EXPECT_DOUBLE_EQ(life.years(), 20.0);
  EXPECT_TRUE(life.service_limited());
  // No load at all: the charge never runs out in the proportional model; the cell still retires at 20.
  const LifetimeProjection idle = project_lifetime(BatterySpec{}, 0.0);
  EXPECT_EQ(idle.energy_years, std::numeric_limits<double>::infinity());
  EXPECT_DOUBLE_EQ(idle.years(), 20.0);
}

// 1 mA empties the cell in ln(1 + 26.131 / 8766) / 0.0100503 = 0.296159 years, long before 20: the charge
// bounds it and the ceiling changes nothing.
TEST(ServiceLife, LeavesTheProjectionAloneWhenTheDrainIsLarge) {
  const LifetimeProjection life = project_lifetime(BatterySpec{}, 1.0);
  EXPECT_NEAR(life.years(), 0.296159, 1e-6);
  EXPECT_DOUBLE_EQ(life.years(), life.energy_years);
  EXPECT_FALSE(life.service_limited());
}

// The bound switches where T = ln(1 + k Q / I) / k equals the service life L: I* = k Q / (e^(k L) - 1)
// = 0.0100503 x 2600 / (e^0.201007 - 1) = 26.1308 / 0.222635 = 117.372 mAh/yr = 13.3895 uA. 1 % less
// drain lasts 20.18 years (capped to 20), 1 % more 19.82 (the charge's).
TEST(ServiceLife, SwitchesBoundWhereTheChargeLastsExactlyTheServiceLife) {
  const double k_per_year = -std::log(0.99);
  const double switch_ma = k_per_year * 2600.0 / std::expm1(k_per_year * 20.0) / kHoursPerYear;
  EXPECT_NEAR(switch_ma * 1000.0, 13.3895, 1e-4);
  const LifetimeProjection below = project_lifetime(BatterySpec{}, 0.99 * switch_ma);
  EXPECT_NEAR(below.energy_years, 20.1828, 1e-4);
  EXPECT_TRUE(below.service_limited());
  EXPECT_DOUBLE_EQ(below.years(), 20.0);
  const LifetimeProjection above = project_lifetime(BatterySpec{}, 1.01 * switch_ma);
  EXPECT_NEAR(above.energy_years, 19.8205, 1e-4);
  EXPECT_FALSE(above.service_limited());
  EXPECT_DOUBLE_EQ(above.years(), above.energy_years);
  // A cell rated for longer moves the switch: rated 60 years, the 54.22-year charge bounds it again.
  BatterySpec long_lived;
  long_lived.service_life_s = 60.0 * kSecondsPerYear;
  EXPECT_FALSE(project_lifetime(long_lived, 3.702955 / 900.0).service_limited());
  EXPECT_NEAR(project_lifetime(long_lived, 3.702955 / 900.0).years(), 54.2216, 1e-3);
}

// --- Solar harvesting --------------------------------------------------------------------------------

SolarPanel one_watt() {
  SolarPanel p;
  p.peak_power_w = 1.0;  // efficiency 0.7, sunrise 06:00, 12 h of daylight (defaults)
  return p;
}

TEST(Solar, PowerFollowsAHalfSineBetweenSunriseAndSunset) {
  const SolarPanel p = one_watt();
  EXPECT_DOUBLE_EQ(solar_power_w(p, 0.0), 0.0);             // midnight
  EXPECT_DOUBLE_EQ(solar_power_w(p, 6.0 * kHour), 0.0);     // sunrise
  EXPECT_NEAR(solar_power_w(p, 12.0 * kHour), 0.7, 1e-12);  // noon: peak x efficiency
  EXPECT_NEAR(solar_power_w(p, 9.0 * kHour), 0.7 * std::sin(kPi / 4.0), 1e-12);
  EXPECT_DOUBLE_EQ(solar_power_w(p, 18.0 * kHour), 0.0);                 // sunset
  EXPECT_NEAR(solar_power_w(p, 3.0 * kDay + 12.0 * kHour), 0.7, 1e-12);  // every day alike
}

TEST(Solar, OneDayEnergyByHand) {
  // E = P eta 2 L / pi = 0.7 x 2 x 43 200 / pi = 19 251.38 J = 5.3476 Wh; at 3.7 V: 19 251.38 / 3.7 C
  // = 5203.08 C = 1445.30 mAh.
  const SolarPanel p = one_watt();
  EXPECT_NEAR(solar_energy_j(p, 0.0, kDay), 19251.3819, 1e-3);
  EXPECT_NEAR(solar_charge_mah(p, 3.7, 0.0, kDay), 1445.2989, 1e-3);
  // Sunrise to 09:00: P eta (L / pi)(1 - cos(pi/4)) = 0.7 x 13 750.99 x 0.292893 = 2819.30 J.
  EXPECT_NEAR(solar_energy_j(p, 6.0 * kHour, 9.0 * kHour), 2819.2996, 1e-3);
  // Morning and afternoon are symmetric halves.
  EXPECT_NEAR(solar_energy_j(p, 0.0, 12.0 * kHour), 0.5 * 19251.3819, 1e-3);
  // Nothing at night, nothing backwards.
  EXPECT_DOUBLE_EQ(solar_energy_j(p, 19.0 * kHour, 29.0 * kHour), 0.0);
  EXPECT_DOUBLE_EQ(solar_energy_j(p, 10.0 * kHour, 9.0 * kHour), 0.0);
}

TEST(Solar, DayLengthIsConfigurable) {
  // 14 h of daylight from 05:00: E = 0.7 x 2 x 50 400 / pi = 22 459.95 J.
  SolarPanel p = one_watt();
  p.sunrise_s = 5.0 * kHour;
  p.day_length_s = 14.0 * kHour;
  EXPECT_NEAR(solar_energy_j(p, 0.0, kDay), 0.7 * 2.0 * 50400.0 / kPi, 1e-6);
  EXPECT_NEAR(solar_power_w(p, 12.0 * kHour), 0.7, 1e-12);
}

TEST(Solar, ManyDaysAndAdditivity) {
  const SolarPanel p = one_watt();
  const double day_j = solar_energy_j(p, 0.0, kDay);
  EXPECT_NEAR(solar_energy_j(p, 0.0, 30.0 * kDay), 30.0 * day_j, 1e-6);
  EXPECT_NEAR(solar_energy_j(p, 10.0 * kHour, 2.0 * kDay + 10.0 * kHour), 2.0 * day_j, 1e-6);
  const double a = 7.3 * kHour, b = 1.0 * kDay + 14.2 * kHour, c = 3.0 * kDay + 2.0 * kHour;
  EXPECT_NEAR(solar_energy_j(p, a, c), solar_energy_j(p, a, b) + solar_energy_j(p, b, c), 1e-6);
}

TEST(Solar, ClosedFormMatchesANumericalIntegral) {
  // Validation only: the model itself never samples.
  const SolarPanel p = one_watt();
  const double t0 = 7.25 * kHour, t1 = 1.0 * kDay + 8.5 * kHour;
  const int n = 200000;
  const double h = (t1 - t0) / n;
  double sum = 0.5 * (solar_power_w(p, t0) + solar_power_w(p, t1));
  for (int i = 1; i < n; ++i) sum += solar_power_w(p, t0 + i * h);
  EXPECT_NEAR(solar_energy_j(p, t0, t1), sum * h, 1e-5 * sum * h);
}

BatterySpec li_ion_6600_no_self_discharge() {
  return {.capacity_mah = 6600.0, .voltage_v = 3.7, .self_discharge_per_year = 0.0, .rechargeable = true};
}

TEST(ChargeWithSolar, NoPanelIsThePlainDrain) {
  const BatterySpec cell = li_ion_6600_no_self_discharge();
  EXPECT_NEAR(charge_with_solar_mah(cell, SolarPanel{}, 3000.0, 2.0, 0.0, 2.0 * kDay), 3000.0 - 96.0, 1e-9);
  // With self-discharge applied once for the interval: (3000 - 96) x 0.738^(2 / 365.25).
  BatterySpec li_ion = cell;
  li_ion.self_discharge_per_year = kSelfDischargeLiIonPerYear;
  const double split = charge_with_solar_mah(li_ion, SolarPanel{}, 3000.0, 2.0, 0.0, 2.0 * kDay);
  EXPECT_NEAR(split, 2904.0 * std::pow(1.0 - kSelfDischargeLiIonPerYear, 2.0 / 365.25), 1e-9);
  // The exact closed form differs by the splitting error, about k dt / 2 x the 96 mAh drained
  // (k dt = 0.3040 x 2 / 365.25 = 0.00166): 0.08 mAh.
  const double k_dt = self_discharge_rate_per_s(kSelfDischargeLiIonPerYear) * 2.0 * kDay;
  EXPECT_NEAR(split, charge_after_mah(3000.0, 2.0, 2.0 * kDay, kSelfDischargeLiIonPerYear), k_dt * 96.0);
}

TEST(ChargeWithSolar, OneClearDayUnderLoad) {
  // 3000 mAh + 1445.299 harvested - 3.46 mA x 24 h (83.04) = 4362.259 mAh; the cap is not reached.
  const BatterySpec cell = li_ion_6600_no_self_discharge();
  EXPECT_NEAR(charge_with_solar_mah(cell, one_watt(), 3000.0, 3.46, 0.0, kDay), 3000.0 + 1445.2989 - 83.04,
              1e-3);
}

TEST(ChargeWithSolar, RechargeableCellIsCappedAtItsCapacity) {
  const BatterySpec cell = li_ion_6600_no_self_discharge();
  // No load: 6000 + 1445 would overflow; full at sunset and all night.
  EXPECT_NEAR(charge_with_solar_mah(cell, one_watt(), 6000.0, 0.0, 0.0, kDay), 6600.0, 1e-9);
  // 10 mA load from 6500 mAh at midnight. Harvest peaks at 0.7 W / 3.7 V = 189.19 mA and equals the
  // load at x1 = asin(10 / 189.19) = 0.052882 rad (06:12:07) and pi - x1 (17:47:53).
  //   midnight -> x1: 6500 - 10 mA x 6.201994 h + 1.0102 harvested (06:00 to 06:12) = 6438.99 mAh
  //   x1 -> pi - x1: +1327.32 net: capped at 6600
  //   pi - x1 -> midnight: 6600 + 1.0102 harvested - 10 mA x 6.201994 h = 6538.99 mAh
  EXPECT_NEAR(charge_with_solar_mah(cell, one_watt(), 6500.0, 10.0, 0.0, kDay), 6538.9903, 1e-3);
}

TEST(ChargeWithSolar, PrimaryCellOnlyHasItsLoadCovered) {
  // Li-SOCl2 (not rechargeable), 0.5 mA, 1 W panel at 3.6 V (peak 194.44 mA). The charge holds while
  // the harvest exceeds the load (06:00:35.4 to 17:59:24.6) and drains 0.5 mA the rest of the day,
  // plus the little harvested outside that window:
  // 2000 - 0.5 x (86 400 - 43 129.28) / 3600 + 0.0049 = 2000 - 6.0098 + 0.0049 = 1993.9951 mAh
  // (1988 without the panel).
  BatterySpec cell;
  cell.capacity_mah = 2000.0;
  cell.self_discharge_per_year = 0.0;
  EXPECT_NEAR(charge_with_solar_mah(cell, one_watt(), 2000.0, 0.5, 0.0, kDay), 1993.9951, 1e-3);
  EXPECT_NEAR(charge_with_solar_mah(cell, one_watt(), 1500.0, 0.0, 0.0, kDay), 1500.0, 1e-12);
}

TEST(ChargeWithSolar, DeadCellStaysDeadEvenWhenTheSunRises) {
  const BatterySpec cell = li_ion_6600_no_self_discharge();
  // 1 mAh at 1 mA empties at 01:00, before sunrise.
  EXPECT_DOUBLE_EQ(charge_with_solar_mah(cell, one_watt(), 1.0, 1.0, 0.0, kDay), 0.0);
  EXPECT_DOUBLE_EQ(charge_with_solar_mah(cell, one_watt(), 0.0, 0.0, 0.0, kDay), 0.0);
}

TEST(ChargeWithSolar, ComposesOverSplitIntervals) {
  const BatterySpec cell = li_ion_6600_no_self_discharge();
  const SolarPanel p = one_watt();
  const double whole = charge_with_solar_mah(cell, p, 2000.0, 20.0, 3.0 * kHour, 3.0 * kDay);
  double split = charge_with_solar_mah(cell, p, 2000.0, 20.0, 3.0 * kHour, 11.0 * kHour);
  split = charge_with_solar_mah(cell, p, split, 20.0, 11.0 * kHour, 1.5 * kDay);
  split = charge_with_solar_mah(cell, p, split, 20.0, 1.5 * kDay, 3.0 * kDay);
  EXPECT_NEAR(whole, split, 1e-9);
}

}  // namespace
}  // namespace citytwin::models::device
