// A rank other than 0 in one city over ranks (city_split.hpp): it steps its own districts' devices,
// exchanges each window's transmissions, and resolves the radio media as rank 0 does, so that the
// downlinks and charges its devices receive are the single process's. It runs no wired network, no
// platform and writes nothing: rank 0 does.
#pragma once

#include <memory>

#include "sim/access/lorawan_network.hpp"
#include "sim/access/nbiot_network.hpp"
#include "sim/access/wifi_access.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/distributed/city_split.hpp"
#include "sim/drivers/driver_set.hpp"
#include "sim/drivers/gateway_timeline.hpp"
#include "sim/engine/fleet.hpp"
#include "sim/engine/sequencer.hpp"
#include "sim/events/bus.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::distributed {

class RankWorker {
 public:
  // The same components as app::RunAssembly builds, less those that only record. Every argument must
  // outlive the worker.
  RankWorker(const scenario::Scenario& scenario, const city::CityLayout& city, uint64_t seed, int threads,
             CitySplit& split);
  RankWorker(const RankWorker&) = delete;
  RankWorker& operator=(const RankWorker&) = delete;

  // One window, up to t_s (as RunAssembly::advance): returns whether any rank asked to stop.
  bool advance(double t_s, core::ThreadPool& pool);
  // After the last window (t_s): settles the air as rank 0 does, charges the sleep and sends the
  // devices' state to rank 0.
  void finish(double t_s, core::ThreadPool& pool);

 private:
  access::AccessNetwork& network_for(const engine::Transmission& tx);

  CitySplit& split_;
  events::Bus bus_;
  drivers::DriverSet drivers_;
  engine::Fleet fleet_;
  drivers::GatewayTimeline timeline_;
  access::LorawanNetwork lorawan_;
  access::NbiotNetwork nbiot_;
  access::WifiAccess wifi_;
  std::array<access::AccessNetwork*, 3> access_;  // stepped in RunAssembly's order
  engine::Sequencer sequencer_;
  std::vector<engine::Transmission> produced_;
};

// The loop of a rank other than 0, over the run's windows (app::run's, without the trace).
void run_other_rank(const scenario::Scenario& scenario, const city::CityLayout& city, uint64_t seed,
                    int threads, core::ThreadPool& pool, CitySplit& split);

}  // namespace citytwin::sim::distributed
