#include "sim/drivers/gateway_timeline.hpp"

#include <algorithm>

#include "sim/drivers/driver_set.hpp"

namespace citytwin::sim::drivers {
namespace {

// The cause of the first outage of `down` containing t, or -1.
int cause_at(const std::vector<GatewayTimeline::Outage>& down, double t_s) {
  for (const GatewayTimeline::Outage& o : down)
    if (o.t0_s <= t_s && t_s < o.t1_s) return o.cause;
  return -1;
}

const std::vector<GatewayTimeline::Outage> kNoOutages;
const std::vector<scenario::TimeInterval> kNoIntervals;

}  // namespace

std::vector<BackupOutage> backup_runs_out(const std::vector<scenario::PowerOutage>& outages,
                                          const std::string& district, double backup_s) {
  std::vector<BackupOutage> cuts;  // the district's, by start
  for (size_t k = 0; k < outages.size(); ++k) {
    const scenario::PowerOutage& o = outages[k];
    if (o.end_s > o.start_s &&
        std::find(o.districts.begin(), o.districts.end(), district) != o.districts.end())
      cuts.push_back({o.start_s, o.end_s, static_cast<int>(k)});
  }
  std::stable_sort(cuts.begin(), cuts.end(),
                   [](const BackupOutage& a, const BackupOutage& b) { return a.t0_s < b.t0_s; });
  std::vector<BackupOutage> out;
  for (size_t i = 0; i < cuts.size();) {
    // One stretch without mains: cuts i..j-1, each starting before the stretch so far ends.
    double end = cuts[i].t1_s;
    size_t j = i + 1;
    while (j < cuts.size() && cuts[j].t0_s <= end) end = std::max(end, cuts[j++].t1_s);
    const double off_from = cuts[i].t0_s + backup_s;
    for (size_t k = i; k < j; ++k)
      if (std::max(cuts[k].t0_s, off_from) < cuts[k].t1_s)
        out.push_back({std::max(cuts[k].t0_s, off_from), cuts[k].t1_s, cuts[k].cause});
    i = j;
  }
  return out;
}

std::vector<scenario::TimeInterval> merged(std::vector<scenario::TimeInterval> intervals) {
  std::sort(intervals.begin(), intervals.end(),
            [](const scenario::TimeInterval& a, const scenario::TimeInterval& b) { return a.t0_s < b.t0_s; });
  std::vector<scenario::TimeInterval> out;
  for (const scenario::TimeInterval& i : intervals) {
    if (i.t1_s <= i.t0_s) continue;
    if (!out.empty() && i.t0_s <= out.back().t1_s)
      out.back().t1_s = std::max(out.back().t1_s, i.t1_s);
    else
      out.push_back(i);
  }
  return out;
}

GatewayTimeline::GatewayTimeline(const scenario::Scenario& sc, std::vector<scenario::Failure> schedule)
    : schedule_(std::move(schedule)) {
  const size_t n = sc.gateways.size();
  const std::vector<scenario::PowerOutage> outages = power_outages(sc);  // the flood's after the scenario's
  power_cuts_.resize(n);
  off_.resize(n);
  route_down_.resize(n);
  down_.resize(n);
  for (uint32_t g = 0; g < n; ++g) {
    const scenario::Gateway& gw = sc.gateways[g];
    const int district = scenario::district_of(sc.city, gw.x_m, gw.y_m);
    if (district >= 0) {
      const std::string& name = sc.city.districts[static_cast<size_t>(district)].name;
      for (const BackupOutage& o : backup_runs_out(outages, name, gw.backup_s))
        power_cuts_[g].push_back({o.t0_s, o.t1_s, o.cause});
    }
    const std::vector<std::string> route = scenario::route_link_names(sc, gw);
    for (size_t i = 0; i < schedule_.size(); ++i)
      if (std::find(route.begin(), route.end(), schedule_[i].target) != route.end())
        route_down_[g].push_back({schedule_[i].start_s, schedule_[i].end_s, static_cast<int>(i)});
    std::vector<scenario::TimeInterval> off, down;
    for (const Outage& o : power_cuts_[g]) off.push_back({o.t0_s, o.t1_s});
    down = off;
    for (const Outage& o : route_down_[g]) down.push_back({o.t0_s, o.t1_s});
    off_[g] = merged(std::move(off));
    any_off_ = any_off_ || !off_[g].empty();
    down_[g] = merged(std::move(down));
  }
  for (size_t i = 0; i < schedule_.size(); ++i)
    if (schedule_[i].target == "network_server")
      server_down_.push_back({schedule_[i].start_s, schedule_[i].end_s, static_cast<int>(i)});
}

bool GatewayTimeline::off_during_listed(uint32_t gateway, double t0_s, double t1_s) const {
  for (const scenario::TimeInterval& i : off_intervals(gateway))
    if (i.t0_s < t1_s && t0_s < i.t1_s) return true;
  return false;
}

int GatewayTimeline::power_cut_at(uint32_t gateway, double t_s) const {
  return cause_at(power_cuts(gateway), t_s);
}

const std::vector<scenario::TimeInterval>& GatewayTimeline::off_intervals(uint32_t gateway) const {
  return gateway < off_.size() ? off_[gateway] : kNoIntervals;
}

const std::vector<GatewayTimeline::Outage>& GatewayTimeline::power_cuts(uint32_t gateway) const {
  return gateway < power_cuts_.size() ? power_cuts_[gateway] : kNoOutages;
}

int GatewayTimeline::backhaul_failure_at(uint32_t gateway, double t_s) const {
  return cause_at(backhaul_failures(gateway), t_s);
}

const std::vector<GatewayTimeline::Outage>& GatewayTimeline::backhaul_failures(uint32_t gateway) const {
  return gateway < route_down_.size() ? route_down_[gateway] : kNoOutages;
}

int GatewayTimeline::server_failure_at(double t_s) const { return cause_at(server_down_, t_s); }

const std::vector<scenario::TimeInterval>& GatewayTimeline::down_intervals(uint32_t gateway) const {
  return gateway < down_.size() ? down_[gateway] : kNoIntervals;
}

}  // namespace citytwin::sim::drivers
