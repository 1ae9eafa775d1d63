// Resolving a scenario that has been read: every check a run makes before its first window that the
// loader cannot make alone (region limits on a population's frame, placements the sampler can fill,
// sizes the run's id types hold, the failure schedule's length), and the warnings about what a run
// would silently not do. `citytwin validate` and `run` share it, so a scenario that validates starts.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::city {

// Throws scenario::ScenarioError listing every error (file:line:col: key.path: message, from the
// population's, gateway's, rule's or failure's SourceMark), warnings included after them. Returns the
// warnings otherwise (severity Warning), in file order; with strict, warnings are errors too. `seed`
// is the run's master seed (the failure profiles are drawn from it).
std::vector<scenario::Diagnostic> resolve(const scenario::Scenario& scenario, uint64_t seed,
                                          bool strict = false);

// Time on air of the population's frame (payload + MAC overhead) at SF7..SF12; low-data-rate
// optimisation follows the SF unless the scenario forces it.
std::array<double, 6> airtime_by_sf_s(const scenario::DevicePopulation& population);

// Whether the region lets the population send its frame at `sf`: under US915 the SF must be an uplink
// data rate at the population's bandwidth and the frame must fit the 400 ms dwell time (FCC 47 CFR
// 15.247); EU868 allows any LoRa PHY setting (its duty cycle is enforced elsewhere).
bool sf_is_data_rate(const scenario::Scenario& scenario, const scenario::DevicePopulation& population,
                     int sf);
bool sf_allowed(const scenario::Scenario& scenario, const scenario::DevicePopulation& population,
                const std::array<double, 6>& airtime_s, int sf);

// The fraction of a disc placement's area that lies in some district (1 for a district placement).
// Devices are drawn uniformly in the disc and redrawn outside every district, so this is the chance a
// draw is kept.
double disc_coverage(const scenario::City& city, const scenario::Placement& placement);
// Below this coverage a disc is refused: a device would need thousands of draws on average.
inline constexpr double kMinDiscCoverage = 1e-3;
// A polygon district's devices are drawn in its bounding box until one falls inside (at most
// kMaxPolygonAttempts draws, a failure chance below e^-100 per device at the least fill allowed).
inline constexpr double kMinPolygonFill = 1e-3;
inline constexpr int kMaxPolygonAttempts = 100000;
// The draws place_population allows a device before giving up: enough that giving up has a chance
// of e^-100 per device once the coverage is at least kMinDiscCoverage; none below it (the build refuses
// the disc at once, as resolve does, instead of drawing 100 / coverage times per device: a 1,000 km disc
// around a 1 km2 city asked for 3e8 draws).
inline double disc_attempts(double coverage) {
  return coverage >= kMinDiscCoverage ? std::max(1000.0, 100.0 / coverage) : 0.0;
}

// The run numbers devices with uint32_t (one id kept free), populations and districts with uint16_t,
// and failures of the schedule with int16_t.
inline constexpr uint64_t kMaxDevices = 4294967294ULL;
inline constexpr size_t kMaxPopulations = 65535;
inline constexpr size_t kMaxDistricts = 65535;
inline constexpr size_t kMaxFailureIntervals = 32767;

}  // namespace citytwin::sim::city
