// One radio access network (LoRaWAN, NB-IoT, Wi-Fi) as the run sees it: it is handed the uplinks of
// its radio in seq order (engine::Sequencer), steps to each window's end and publishes what it
// resolved on the run's bus (events::FrameResolved, whose receiving gateways forward their copies;
// ChargeDrawn, StreamStarted), and reports its own KPIs. To add a radio: a class implementing this (in its
// own file here), listed in sim/app/run_assembly.cpp (docs/ARCHITECTURE.md, "Adding a radio").
#pragma once

#include <cstdint>

#include "output/records.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/engine/fleet.hpp"
#include "sim/events/bus.hpp"

namespace citytwin::sim::access {

class AccessNetwork {
 public:
  virtual ~AccessNetwork() = default;

  // Whether tx is this network's to carry (its technology).
  virtual bool carries(const engine::Transmission& tx) const = 0;
  // Before the first window, with the run's duration (static streams start here).
  virtual void start(double /*duration_s*/, events::Bus& /*bus*/) {}
  // An uplink of this network, in seq order; between steps.
  virtual void submit(uint64_t seq, const engine::Transmission& tx) = 0;
  // Resolves everything that is settled by t_s (infinity: everything) and publishes it.
  virtual void step(double t_s, core::ThreadPool& pool, events::Bus& bus) = 0;
  // The network's own /kpi attributes (record::order_kpis puts them in the schema's order).
  virtual void add_kpis(output::KpiList& kpis) const = 0;
};

}  // namespace citytwin::sim::access
