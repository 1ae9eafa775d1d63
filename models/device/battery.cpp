#include "models/device/battery.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace citytwin::models::device {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kSecondsPerDay = 86400.0;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Energy delivered from midnight of day 0 up to t_s, J: whole days plus the part of the current day.
double cumulative_solar_energy_j(const SolarPanel& panel, double t_s) {
  const double amplitude_w = panel.peak_power_w * panel.system_efficiency;
  const double day_energy_j = amplitude_w * 2.0 * panel.day_length_s / kPi;
  const double days = std::floor(t_s / kSecondsPerDay);
  const double into_day_s = t_s - days * kSecondsPerDay;
  const double since_sunrise_s = std::clamp(into_day_s - panel.sunrise_s, 0.0, panel.day_length_s);
  // Integral of sin(pi x / L) from 0 to y: (L / pi) (1 - cos(pi y / L)).
  const double today_j =
      amplitude_w * panel.day_length_s / kPi * (1.0 - std::cos(kPi * since_sunrise_s / panel.day_length_s));
  return days * day_energy_j + today_j;
}

// Harvest current at the battery, mA.
double harvest_current_ma(const SolarPanel& panel, double voltage_v, double t_s) {
  return solar_power_w(panel, t_s) / voltage_v * 1000.0;
}

}  // namespace

double self_discharge_rate_per_s(double self_discharge_per_year) {
  return -std::log1p(-self_discharge_per_year) / kSecondsPerYear;
}

double self_discharge_mah(double stored_mah, double duration_s, double self_discharge_per_year) {
  const double k = self_discharge_rate_per_s(self_discharge_per_year);
  return -stored_mah * std::expm1(-k * duration_s);
}

double charge_after_mah(double stored_mah, double load_current_ma, double duration_s,
                        double self_discharge_per_year) {
  if (stored_mah <= 0.0) return 0.0;
  return charge_after_mah_at_rate(stored_mah, load_current_ma, duration_s,
                                  self_discharge_rate_per_s(self_discharge_per_year));
}

double charge_after_mah_at_rate(double stored_mah, double load_current_ma, double duration_s, double k) {
  if (stored_mah <= 0.0) return 0.0;
  const double load_mah_per_s = load_current_ma / 3600.0;
  double left = 0.0;
  if (k == 0.0) {
    left = stored_mah - load_mah_per_s * duration_s;
  } else {
    // Q(t) = (Q0 + I/k) e^(-kt) - I/k, written with expm1 to keep precision for small k t.
    left = stored_mah + (stored_mah + load_mah_per_s / k) * std::expm1(-k * duration_s);
  }
  return std::max(left, 0.0);
}

double time_to_empty_s(double stored_mah, double load_current_ma, double self_discharge_per_year) {
  if (stored_mah <= 0.0) return 0.0;
  if (load_current_ma <= 0.0) return kInfinity;
  const double k = self_discharge_rate_per_s(self_discharge_per_year);
  const double load_mah_per_s = load_current_ma / 3600.0;
  if (k == 0.0) return stored_mah / load_mah_per_s;
  return std::log1p(k * stored_mah / load_mah_per_s) / k;
}

double projected_lifetime_years(double capacity_mah, double average_current_ma,
                                double self_discharge_per_year) {
  return time_to_empty_s(capacity_mah, average_current_ma, self_discharge_per_year) / kSecondsPerYear;
}

LifetimeProjection project_lifetime(const BatterySpec& cell, double average_current_ma) {
  return {.energy_years =
              projected_lifetime_years(cell.capacity_mah, average_current_ma, cell.self_discharge_per_year),
          .service_life_years = cell.service_life_s / kSecondsPerYear};
}

double load_current_ma(double stored_mah, double left_mah, double duration_s,
                       double self_discharge_rate_per_s) {
  if (!(duration_s > 0.0)) return 0.0;
  const double k = self_discharge_rate_per_s;
  const double per_hour_ma =
      k > 0.0 ? k * (stored_mah * std::exp(-k * duration_s) - left_mah) / -std::expm1(-k * duration_s)
              : (stored_mah - left_mah) / duration_s;
  return std::max(0.0, per_hour_ma * 3600.0);  // mAh/s to mA
}

double solar_power_w(const SolarPanel& panel, double t_s) {
  const double into_day_s = t_s - std::floor(t_s / kSecondsPerDay) * kSecondsPerDay;
  const double since_sunrise_s = into_day_s - panel.sunrise_s;
  if (since_sunrise_s <= 0.0 || since_sunrise_s >= panel.day_length_s) return 0.0;
  return panel.peak_power_w * panel.system_efficiency * std::sin(kPi * since_sunrise_s / panel.day_length_s);
}

double solar_energy_j(const SolarPanel& panel, double t0_s, double t1_s) {
  if (t1_s <= t0_s || panel.peak_power_w <= 0.0) return 0.0;
  return cumulative_solar_energy_j(panel, t1_s) - cumulative_solar_energy_j(panel, t0_s);
}

double solar_charge_mah(const SolarPanel& panel, double voltage_v, double t0_s, double t1_s) {
  return solar_energy_j(panel, t0_s, t1_s) / voltage_v / 3.6;
}

double charge_with_solar_mah(const BatterySpec& battery, const SolarPanel& panel, double stored_mah,
                             double load_current_ma, double t0_s, double t1_s) {
  if (stored_mah <= 0.0) return 0.0;
  if (t1_s <= t0_s) return stored_mah;

  // Cut [t0, t1] where the harvest current equals the load: sin(x) = load / peak at x = asin(r) and
  // pi - asin(r) of each day's half-sine. Between cuts the net current keeps its sign.
  std::vector<double> cuts = {t0_s, t1_s};
  const double peak_ma = panel.peak_power_w * panel.system_efficiency / battery.voltage_v * 1000.0;
  if (peak_ma > 0.0) {
    const double ratio = std::clamp(load_current_ma / peak_ma, 0.0, 1.0);
    const double x1 = std::asin(ratio);
    const double offsets[] = {x1, kPi - x1};
    for (double day = std::floor(t0_s / kSecondsPerDay); day * kSecondsPerDay <= t1_s; day += 1.0) {
      for (double x : offsets) {
        const double t = day * kSecondsPerDay + panel.sunrise_s + x / kPi * panel.day_length_s;
        if (t > t0_s && t < t1_s) cuts.push_back(t);
      }
    }
    std::sort(cuts.begin(), cuts.end());
  }

  double charge = stored_mah;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    const double a = cuts[i];
    const double b = cuts[i + 1];
    if (b <= a) continue;
    const double net_mah =
        solar_charge_mah(panel, battery.voltage_v, a, b) - charge_mah(load_current_ma, b - a);
    const bool rising = harvest_current_ma(panel, battery.voltage_v, 0.5 * (a + b)) > load_current_ma;
    if (rising) {
      // A primary cell cannot take charge: the surplus is wasted and the charge holds.
      const double cap = battery.rechargeable ? std::max(battery.capacity_mah, charge) : charge;
      charge = std::min(cap, charge + net_mah);
    } else {
      charge += net_mah;
      if (charge <= 0.0) return 0.0;  // monotone on this piece: it emptied inside, dead for good
    }
  }
  const double k = self_discharge_rate_per_s(battery.self_discharge_per_year);
  return charge * std::exp(-k * (t1_s - t0_s));
}

}  // namespace citytwin::models::device
