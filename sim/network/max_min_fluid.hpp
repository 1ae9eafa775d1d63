// Flows sharing links by max-min fairness, as a fluid in time: when each flow of a group that starts
// together finishes (issue 13: a PON's batches timed without SimGrid).
//
// The model is SimGrid's CM02 (Casanova and Marchal, "A Network Model for Simulation of Grid
// Application", LIP RR-2002-40), as SimGrid 3.32 computes it (src/kernel/resource/models/
// network_cm02.cpp, src/kernel/lmm/maxmin.cpp):
// - a flow shares nothing during its route's latency, then its rate is set by weighted max-min
//   fairness: on the link that saturates first each flow gets level / penalty, where the penalty is
//   its route's latency (CM02 without weight-S: RTT-unfair sharing), capped at the flow's bound (its
//   route's smallest bandwidth and the TCP window bound, gamma / (2 latency));
// - progressive filling: the link with the smallest remaining / sum(1 / penalty) saturates next,
//   unless a flow on it reaches its bound first (then those flows are fixed at their bound);
// - rates are recomputed whenever a flow starts sharing or finishes; events closer than the timing
//   precision (SimGrid's surf/precision) are handled at the same instant, as SimGrid does, and a
//   flow's finish is `now + remaining / rate`, re-timed at each recomputation.
// Pure: no SimGrid; tests/sim/max_min_fluid_test.cpp checks it against hand-worked sharing.
#pragma once

#include <cstddef>
#include <vector>

namespace citytwin::sim::network {

struct FluidFlow {
  double start_s = 0.0;       // when the transfer is started (SimGrid's clock)
  double latency_s = 0.0;     // its route's latency (> 0): it shares links from start + latency
  double bytes = 0.0;         // what it carries
  double bound_Bps = 0.0;     // its rate can never exceed this (> 0)
  std::vector<size_t> links;  // the shared links it crosses: indices into the capacities
};

struct FluidPrecision {
  double timing_s = 1e-9;  // SimGrid's surf/precision: events closer than this happen together
  double work = 1e-5;      // SimGrid's maxmin/precision: the solver's tolerance on rates and usage
};

// Each flow's finish time (SimGrid's clock). Flows joined by shared links form a group, solved on its
// own; all groups run on one clock, with other_events_s (times at which SimGrid handles other events:
// other comms starting or ending), since SimGrid handles every event within its timing precision of
// the current one at the current one. NaN for the flows of a group outside what this models (a flow
// without latency or bytes, a group in which a flow would never finish).
std::vector<double> max_min_finish_times(const std::vector<FluidFlow>& flows,
                                         const std::vector<double>& capacity_Bps,
                                         const FluidPrecision& precision = {},
                                         const std::vector<double>& other_events_s = {});

// The rates of the flows sharing the links right now (weighted max-min, as above): `active` lists the
// flows that share (indices into flows); the others get 0. Exposed for the tests.
std::vector<double> max_min_rates(const std::vector<FluidFlow>& flows, const std::vector<size_t>& active,
                                  const std::vector<double>& capacity_Bps, double precision);

// An upper bound on the traffic each link can ever carry, whatever the flows do: the flows crossing it
// (routes: link indices in order; bounds: each flow's rate bound), grouped by the link each crosses
// just before it, every group's bounds summed and capped at what that upstream link can carry (its
// bandwidth and, recursively, its own bound; a flow's first link: its bound). Where routes make a
// cycle, the plain sum. A link whose bound stays below its bandwidth is never saturated in max-min.
std::vector<double> link_traffic_bound(const std::vector<std::vector<size_t>>& routes,
                                       const std::vector<double>& bounds,
                                       const std::vector<double>& bandwidth);

}  // namespace citytwin::sim::network
