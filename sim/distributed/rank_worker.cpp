#include "sim/distributed/rank_worker.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "sim/core/stop.hpp"
#include "sim/drivers/failure_schedule.hpp"

namespace citytwin::sim::distributed {

RankWorker::RankWorker(const scenario::Scenario& sc, const city::CityLayout& city, uint64_t seed, int threads,
                       CitySplit& split)
    : split_(split),
      drivers_(sc),
      fleet_(city, seed, sc.run.duration_s, threads, drivers_),
      timeline_(sc, drivers::failure_schedule(sc, seed)),
      lorawan_(sc, city, timeline_),
      nbiot_(sc, city, seed, timeline_),
      wifi_(sc, city),
      access_{&lorawan_, &nbiot_, &wifi_} {
  fleet_.keep_districts(split.owned_districts());
  bus_.subscribe<events::ChargeDrawn>(
      [this](const events::ChargeDrawn& c) { fleet_.post_charge(c.device, c.charge_mah); });
  bus_.subscribe<events::DownlinkSent>(
      [this](const events::DownlinkSent& d) { fleet_.post_downlink(d.device, d.ack, d.adr); });
  for (access::AccessNetwork* a : access_) a->start(sc.run.duration_s, bus_);
}

access::AccessNetwork& RankWorker::network_for(const engine::Transmission& tx) {
  for (access::AccessNetwork* a : access_)
    if (a->carries(tx)) return *a;
  throw std::logic_error("no access network carries technology " +
                         std::to_string(static_cast<int>(tx.technology)));
}

bool RankWorker::advance(double t_s, core::ThreadPool& pool) {
  fleet_.advance(t_s, pool, produced_);
  const bool stop = split_.exchange(produced_, core::stop_requested());
  sequencer_.release(produced_, t_s, [this](uint64_t seq, const engine::Transmission& tx) {
    network_for(tx).submit(seq, tx);
  });
  for (access::AccessNetwork* a : access_) a->step(t_s, pool, bus_);
  return stop;
}

void RankWorker::finish(double t_s, core::ThreadPool& pool) {
  constexpr double kEverything = std::numeric_limits<double>::infinity();
  sequencer_.release(produced_, kEverything, [this](uint64_t seq, const engine::Transmission& tx) {
    network_for(tx).submit(seq, tx);
  });
  for (access::AccessNetwork* a : access_) a->step(kEverything, pool, bus_);
  fleet_.finish(t_s);
  split_.gather_fleet(fleet_);
}

void run_other_rank(const scenario::Scenario& sc, const city::CityLayout& city, uint64_t seed, int threads,
                    core::ThreadPool& pool, CitySplit& split) {
  RankWorker worker(sc, city, seed, threads, split);
  const double duration = sc.run.duration_s;
  double t = 0.0;
  uint64_t window = 0;
  bool stopped = false;
  while (t < duration && !stopped) {
    t = std::min(duration, static_cast<double>(++window) * sc.run.window_s);
    stopped = worker.advance(t, pool);
  }
  worker.finish(t, pool);
  core::clear_stop();
}

}  // namespace citytwin::sim::distributed
