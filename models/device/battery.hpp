// A battery as a charge reservoir: capacity in mAh drained by current x time, self-discharge, and
// optional solar harvesting into a rechargeable cell. A battery is dead when its charge reaches zero.
//
// Self-discharge model (chosen): first order, proportional to the remaining charge,
//   dQ/dt = -I - k Q,   k = -ln(1 - f) / year,
// so a cell shelved for one year keeps (1 - f) of its charge, which is how datasheets state f. With a
// constant load I the charge is Q(t) = (Q0 + I/k) e^(-k t) - I/k and the cell empties after
//   T = ln(1 + k Q0 / I) / k.
// The alternative, a constant loss of f x nominal capacity per year, gives T = Q0 / (I + f C); the two
// agree to first order in f T; for f = 1 %/yr the proportional form gives a life longer by 5 % at 10
// years, 8 % at 15 and 12 % at 20. It was chosen because it composes (advancing by a then b equals
// advancing by a + b) without the nominal capacity, and rechargeable cells are specified so (%/month).
//
// Service life (a ceiling): a primary cell also ages while it delivers charge (passivation of the lithium
// anode, electrolyte loss through the seal, the first-order model's error over decades), and its maker rates
// a life beyond which it is not relied on whatever charge the model says is left. A projected lifetime is
// therefore min(T, service life), and says which of the two bounds it (LifetimeProjection).
//
// Pulse current (a rating, checked, not modelled): a cell delivers a current only up to what its construction
// allows. A bobbin Li-SOCl2 cell (one thick lithium anode around a carbon cathode: the highest capacity and
// lowest self-discharge) has a small electrode area, and its makers rate it for pulses of tens to a few
// hundred milliamps; an NB-IoT or cellular modem's transmit current is beyond that, which real designs
// meet with a buffer capacitor (a supercapacitor, Tadiran's hybrid layer capacitor) or a spiral cell. The
// model has no voltage, internal resistance or passivation, so it cannot say what an excessive pulse does
// to the cell: a population whose peak draw exceeds its cell's rating is flagged (sim/city/pulse_current.hpp,
// /kpi@devices_over_pulse_limit), and its energy is charged as any other current is (no derating).
#pragma once

#include <algorithm>

#include "models/julian_year.hpp"

namespace citytwin::models::device {

// The Julian year (models/julian_year.hpp), as in the lifetime tests of firmware_test.cpp and the
// scenario's `yr` unit.
inline constexpr double kSecondsPerYear = kSecondsPerJulianYear;

// Self-discharge at 20 degC, fraction of the charge lost per year of storage.
// Li-SOCl2 bobbin cells: Saft LS14500 datasheet ("less than 1 % after 1 year of storage at +20 degC");
// Tadiran LTC technical brochure (under 1 %/yr).
inline constexpr double kSelfDischargeLiSocl2PerYear = 0.01;
// Alkaline: Battery University BU-802b "Elevating self-discharge", table 2: 2-3 % per year.
inline constexpr double kSelfDischargeAlkalinePerYear = 0.025;
// Li-ion: about 2.5 % per month (BU-802b: 1-2 %/month after the first day, plus the protection
// circuit; Wikipedia "Self-discharge" table: 2-3 %/month), compounded: 1 - 0.975^12 = 0.262 per year.
inline constexpr double kSelfDischargeLiIonPerYear = 0.262;

// Rated service life of a bobbin Li-SOCl2 cell at 20 degC: 20 years, an assumption (no maker's datasheet
// figure for the LS14500 could be confirmed). Sellers of standard bobbin cells quote 10-20 years of service
// (CNS Battery, "Why do Li-SOCl2 batteries have the longest standby life?", cnsbattery.com); premium cells
// with under 1 %/yr self-discharge are marketed for up to 40 years (S. Jacobs, Tadiran Batteries, "The
// 40-year battery pack", Power Electronic Tips, 3 Feb 2020; Electronics360, "Long-life primary battery
// selection crucial to many designs"); water meters on such cells are sold for 16 (Kamstrup flowIQ,
// catalogue.cpp). The upper end of the standard range: it binds only where the charge would outlast it.
inline constexpr double kServiceLifeLiSocl2Years = 20.0;

// Maximum pulse current (mA) of the catalogue's cells, from the makers' datasheets (Saft LS14500 and LS33600,
// EVE ER18505); these three figures are quoted from the datasheets without a copy at hand to confirm them.
// Confirmed: bobbin cells are rated for pulses a few times their continuous current and far below a modem's
// (EEMB ER10450, AAA bobbin, 0.8 Ah, datasheet Dec 2015: 25 mA continuous, 60 mA pulse; makers pair them with
// supercapacitors or hybrid layer capacitors for radio pulses: Tadiran TLI/HLC, Metering International 2014
// issue 2; Naccon, "Advantages of combining ER batteries with supercapacitors").
// AA, Saft LS14500 (2.6 Ah): 50 mA max recommended continuous, pulses up to 150 mA (0.1 s every 2 min from a
// 10 uA base, above 3.0 V, fresh cells at 20 degC).
inline constexpr double kMaxPulseCurrentAaLiSocl2Ma = 150.0;
// A-size, ER18505 class (4 Ah): 100 mA continuous, 200 mA pulse (EVE ER18505 datasheet).
inline constexpr double kMaxPulseCurrentALiSocl2Ma = 200.0;
// D-size, Saft LS33600 (17 Ah): 250 mA max recommended continuous, pulses up to 400 mA.
inline constexpr double kMaxPulseCurrentDLiSocl2Ma = 400.0;
// Li-ion: 1 C (a current of the capacity in mA per mAh: 1000 mA for a 1000 mAh cell), an assumption at the
// low end of what sellers rate Li-ion cells for continuously (Beltrona BELLIIONAA800 14500 cell: 2 C;
// e-lectronics protected 18500: 1.5 C; an 18650 pack: 3 C continuous, 5 C for 5 s); a pulse is rated higher.
inline constexpr double kMaxPulseCurrentLiIonPerMah = 1.0;

struct BatterySpec {
  // An AA-size lithium thionyl chloride cell, as in most LPWA sensors (Saft LS14500: 2.6 Ah, 3.6 V).
  double capacity_mah = 2600.0;
  double voltage_v = 3.6;
  double self_discharge_per_year = kSelfDischargeLiSocl2PerYear;  // fraction, see above
  bool rechargeable = false;  // a primary cell cannot store harvested charge
  // The rated life that caps a projected lifetime (see the top); the Li-SOCl2 figure above by default.
  double service_life_s = kServiceLifeLiSocl2Years * kSecondsPerYear;
  // The largest current the cell is rated to deliver in pulses (see the top): the LS14500's by default.
  double max_pulse_current_ma = kMaxPulseCurrentAaLiSocl2Ma;
};

// Whether a draw of peak_current_ma exceeds the cell's pulse rating: strictly above it (a draw at the rating
// is within it, as a datasheet's "up to").
inline bool exceeds_pulse_rating(const BatterySpec& cell, double peak_current_ma) {
  return peak_current_ma > cell.max_pulse_current_ma;
}

// Charge drawn by a current over a duration: mA x s / 3600 = mAh.
inline double charge_mah(double current_ma, double duration_s) { return current_ma * duration_s / 3600.0; }

// Rate constant k (1/s) of the self-discharge for a fraction lost per year, in [0, 1).
double self_discharge_rate_per_s(double self_discharge_per_year);

// Charge lost to self-discharge alone over a duration, from a cell holding stored_mah.
double self_discharge_mah(double stored_mah, double duration_s, double self_discharge_per_year);

// Charge left after a constant load over a duration, with self-discharge (closed form). Zero when
// the cell empties within the duration: a dead cell stays dead.
double charge_after_mah(double stored_mah, double load_current_ma, double duration_s,
                        double self_discharge_per_year);
// The same with the rate constant k = self_discharge_rate_per_s(...) given: the same result, bit for bit,
// without its log1p (the fleet computes k once per population and calls this at every wake-up).
double charge_after_mah_at_rate(double stored_mah, double load_current_ma, double duration_s,
                                double self_discharge_rate_per_s);

// Time until a cell holding stored_mah empties under a constant load with self-discharge. Infinite
// when there is no load (in the proportional model self-discharge alone never empties a cell).
double time_to_empty_s(double stored_mah, double load_current_ma, double self_discharge_per_year);

// Years a full cell of capacity_mah lasts at a constant average current (the same closed form): the
// charge alone, without the service-life ceiling (project_lifetime adds it).
double projected_lifetime_years(double capacity_mah, double average_current_ma,
                                double self_discharge_per_year);

// A full cell's projected life under a constant average current: the charge's bound (time_to_empty_s,
// infinite without load), the cell's rated service life, and which of the two applies.
struct LifetimeProjection {
  double energy_years = 0.0;        // until the charge runs out (load + self-discharge)
  double service_life_years = 0.0;  // BatterySpec::service_life_s in years
  double years() const { return std::min(energy_years, service_life_years); }
  // True when the rated life ends first: the cell is retired with charge left.
  bool service_limited() const { return service_life_years < energy_years; }
};
LifetimeProjection project_lifetime(const BatterySpec& cell, double average_current_ma);

// The constant load (mA) that takes a cell from stored_mah to left_mah in duration_s with self-discharge at
// rate k (1/s): Q(t) = (Q0 + I/k) e^(-k t) - I/k solved for I, I = k (Q0 e^(-k t) - Q(t)) / (1 - e^(-k t))
// ((Q0 - Q(t)) / t without self-discharge). What a run's drain says of a device's load, to project its life
// with the model rather than as a constant loss (a cell emptied within the run: a lower bound). Never
// negative.
double load_current_ma(double stored_mah, double left_mah, double duration_s,
                       double self_discharge_rate_per_s);

// A small photovoltaic panel charging the battery over a clear-sky day. Irradiance is a half-sine
// between sunrise and sunset (an engineering approximation of a clear day: it follows the sine of
// the sun's elevation), repeated every 24 h; clouds, season and orientation are not modelled, so
// this is an upper bound to scale down with peak_power_w.
//   P(t) = peak_power_w x system_efficiency x sin(pi (t - sunrise) / day_length)  in daylight, else 0
// One day yields peak_power_w x system_efficiency x 2 day_length / pi.
struct SolarPanel {
  double peak_power_w = 0.0;  // rated (STC, 1000 W/m2) power; 0 = no panel
  // Delivered to the cell / panel rating: NREL PVWatts v5 manual (2014) default system losses 14 %
  // (soiling, wiring, mismatch...) times a small harvester's conversion efficiency of ~80 % (TI BQ25570
  // datasheet, buck efficiency 80-90 %): 0.86 x 0.8 = 0.69, rounded to 0.7.
  double system_efficiency = 0.7;
  double sunrise_s = 6.0 * 3600.0;      // seconds after midnight (time 0 is midnight)
  double day_length_s = 12.0 * 3600.0;  // sunrise to sunset; sunrise + day_length <= 24 h
};

// Power delivered to the battery at time t_s, W.
double solar_power_w(const SolarPanel& panel, double t_s);
// Energy delivered over [t0_s, t1_s], J (closed-form integral of the half-sine profile).
double solar_energy_j(const SolarPanel& panel, double t0_s, double t1_s);
// The same as charge at the battery voltage, mAh: J / V = C, and 1 mAh = 3.6 C.
double solar_charge_mah(const SolarPanel& panel, double voltage_v, double t0_s, double t1_s);

// Charge left at t1_s of a battery holding stored_mah at t0_s, under a constant load, charged by the
// panel. Exact for harvest and load: the interval is cut where the harvest current crosses the load
// current, the charge rises on the pieces where harvest exceeds load (capped at the capacity of a
// rechargeable cell; a primary cell only has its load covered) and falls on the others (zero, dead
// for good, if it empties). Self-discharge is applied once for the whole interval as the factor
// e^(-k (t1 - t0)) (operator splitting: its error is of order k (t1 - t0) x the charge swing, under
// 0.1 % of the swing for Li-ion over a day).
double charge_with_solar_mah(const BatterySpec& battery, const SolarPanel& panel, double stored_mah,
                             double load_current_ma, double t0_s, double t1_s);

}  // namespace citytwin::models::device
