#include "sim/drivers/failure_schedule.hpp"

#include <algorithm>
#include <tuple>

#include "sim/core/rng.hpp"
#include "sim/drivers/driver_set.hpp"
#include "sim/drivers/gateway_timeline.hpp"

namespace citytwin::sim::drivers {

std::vector<scenario::Failure> failure_schedule(const scenario::Scenario& sc, uint64_t seed) {
  std::vector<scenario::Failure> schedule;
  const auto& failures = sc.drivers.failures;
  for (size_t i = 0; i < failures.size(); ++i) {
    const scenario::Failure& f = failures[i];
    if (f.mtbf_s <= 0.0) {
      schedule.push_back(f);
      continue;
    }
    // Alternating renewal process: up ~ Exp(mtbf), down ~ Exp(mttr); its long-run availability is
    // mtbf / (mtbf + mttr) (e.g. Trivedi, "Probability and Statistics with Reliability, Queuing and
    // Computer Science Applications", 2nd ed., section 8.2).
    core::Stream rng(seed, "failures", i);
    for (double t = rng.exponential(f.mtbf_s); t < sc.run.duration_s;) {
      const double down = rng.exponential(f.mttr_s);
      schedule.push_back({f.target, t, t + down, 0.0, 0.0});
      t += down + rng.exponential(f.mtbf_s);
    }
  }
  // OLTs in a district without mains power (drivers.power_outages, the flood's cuts): their backbone is
  // down from the end of their backup until power returns, a failure like a cut fibre.
  if (std::any_of(sc.fibre.olts.begin(), sc.fibre.olts.end(),
                  [](const auto& o) { return !o.district.empty(); })) {
    const std::vector<scenario::PowerOutage> outages = power_outages(sc);
    for (const scenario::Olt& olt : sc.fibre.olts) {
      if (olt.district.empty()) continue;
      for (const BackupOutage& o : backup_runs_out(outages, olt.district, olt.backup_s))
        schedule.push_back({"backbone:" + olt.name, o.t0_s, o.t1_s, 0.0, 0.0});
    }
  }
  std::stable_sort(schedule.begin(), schedule.end(),
                   [](const scenario::Failure& a, const scenario::Failure& b) {
                     return std::tie(a.start_s, a.target) < std::tie(b.start_s, b.target);
                   });
  return schedule;
}

}  // namespace citytwin::sim::drivers
