#include "sim/app/run_assembly.hpp"

#include <limits>
#include <stdexcept>
#include <string>

#include "sim/app/run.hpp"
#include "sim/app/run_budget.hpp"
#include "sim/core/stop.hpp"
#include "sim/drivers/failure_schedule.hpp"
#include "sim/network/wired_bus.hpp"

namespace citytwin::sim::app {
namespace {
drivers::GatewayTimeline gateway_timeline(const scenario::Scenario& sc, uint64_t seed) {
  std::vector<scenario::Failure> failures = drivers::failure_schedule(sc, seed);
  if (failures.size() > static_cast<size_t>(std::numeric_limits<int16_t>::max()))
    throw RunError("drivers.failures: " + std::to_string(failures.size()) +
                   " failure intervals over the run; at most 32767 are supported (raise mtbf?)");
  // Power, backhaul and network-server outages per gateway: every access network and the wired one ask it.
  return drivers::GatewayTimeline(sc, std::move(failures));
}
}  // namespace

RunAssembly::RunAssembly(const scenario::Scenario& sc, const city::CityLayout& city, uint64_t seed,
                         core::ThreadPool& pool, double lane_min_reports_per_period)
    : pool_(pool),
      lane_(pool.has_lane() && estimate_run(sc).reports * sc.run.forward_batch_s / sc.run.duration_s >=
                                   lane_min_reports_per_period),
      drivers_(sc),
      fleet_(city, seed, sc.run.duration_s, pool.size(), drivers_),
      timeline_(gateway_timeline(sc, seed)),
      attacks_(sc, city, seed, bus_),
      recorder_(sc, city, bus_, drivers_),
      attack_log_(sc, city, attacks_, bus_),
      platform_(sc, city, bus_, &drivers_),
      lorawan_(sc, city, timeline_),
      nbiot_(sc, city, seed, timeline_),
      wifi_(sc, city),
      access_{&lorawan_, &nbiot_, &wifi_} {
  // On the lane (SimGrid stays on the thread that started it). The wired network subscribes to FrameResolved
  // after the recorders, the attacks' log and the platform: each frame is theirs before its copies go on.
  on_wired_thread([&] {
    wired_.reset(network::make_wired_network(sc, timeline_, bus_, attacks_.server_filter()).release());
    wired_->set_server_flood(attacks_.server_flood());  // attacks
  });
  access_bus_.subscribe<events::ChargeDrawn>(
      [this](const events::ChargeDrawn& c) { fleet_.post_charge(c.device, c.charge_mah); });
  access_bus_.subscribe<events::DownlinkSent>(
      [this](const events::DownlinkSent& d) { fleet_.post_downlink(d.device, d.ack, d.adr); });
  // What the access networks tell the wired network and the recorders: at once, or kept for the lane.
  const auto relay = [this]<class Event>(const Event& e) {
    if (lane_)
      logged_.add(e);
    else
      bus_.publish(e);
  };
  access_bus_.subscribe<events::FrameResolved>(relay);
  access_bus_.subscribe<events::StreamStarted>(relay);
  // CCTV event clips under congestion (drivers.traffic.cctv) ride on the access points' streams.
  wifi_.add_event_clips(access::cctv_event_clips(sc, city, drivers_, seed), sc.drivers.traffic.cctv_clip_s,
                        sc.run.timeseries_interval_s);
  for (access::AccessNetwork* a : access_) a->start(sc.run.duration_s, access_bus_);
  lorawan_.set_jamming(attacks_.jamming());  // attacks
  lorawan_.share_with_lane(lane_);
  platform_.set_flood(attacks_.platform_flood());  // attacks
}

RunAssembly::~RunAssembly() {
  try {
    pool_.wait_posted();  // a forwarding period still running (the run failed meanwhile)
  } catch (...) {         // its error: the run is already unwinding from another
  }
}

void RunAssembly::DeleteOnWiredThread::operator()(network::WiredNetwork* wired) const noexcept {
  try {
    assembly->on_wired_thread([wired] { delete wired; });
  } catch (...) {  // (a pool that cannot hand the task over any more: not on its thread, but deleted)
    delete wired;
  }
}

void RunAssembly::on_wired_thread(const std::function<void()>& f) {
  if (lane_)
    pool_.run_in_lane(f);
  else
    f();
}

access::AccessNetwork& RunAssembly::network_for(const engine::Transmission& tx) {
  for (access::AccessNetwork* a : access_)
    if (a->carries(tx)) return *a;
  throw std::logic_error("no access network carries technology " +
                         std::to_string(static_cast<int>(tx.technology)));
}

void RunAssembly::advance(double t_s) {
  fleet_.advance(t_s, pool_, produced_);
  attacks_.produce(t_s, fleet_, produced_);  // attacks: the compromised devices' extra frames
  if (split_) split_stop_ = split_->exchange(produced_, core::stop_requested());
  sequencer_.release(produced_, t_s, [this](uint64_t seq, const engine::Transmission& tx) {
    network_for(tx).submit(seq, tx);
  });
  for (access::AccessNetwork* a : access_) a->step(t_s, pool_, access_bus_);
}

void RunAssembly::split_over(distributed::CitySplit& split) {
  split_ = &split;
  fleet_.keep_districts(split.owned_districts());
}

bool RunAssembly::stop_requested() const { return split_ ? split_stop_ : core::stop_requested(); }

void RunAssembly::forward_logged(double t_s, output::TraceWriter& writer) {
  handed_.replay(bus_);
  wired_->advance(t_s);
  recorder_.flush(writer);
}

void RunAssembly::forward(double t_s, output::TraceWriter& writer) {
  if (!lane_) return forward_logged(t_s, writer);  // (nothing logged: the relay published at once)
  pool_.wait_posted();                             // the last period's (and its error, if it failed)
  std::swap(logged_, handed_);
  pool_.post([this, t_s, &writer] { forward_logged(t_s, writer); });
}

record::RunRecorder::Report RunAssembly::finish(double t_s, output::TraceWriter& writer) {
  // Settle what is still on the air and in the network. Frames already produced belong to wake-ups
  // before t_s, so they are part of the run.
  constexpr double kEverything = std::numeric_limits<double>::infinity();
  sequencer_.release(produced_, kEverything, [this](uint64_t seq, const engine::Transmission& tx) {
    network_for(tx).submit(seq, tx);
  });
  for (access::AccessNetwork* a : access_) a->step(kEverything, pool_, access_bus_);
  fleet_.finish(t_s);
  if (split_) split_->gather_fleet(fleet_);
  pool_.wait_posted();
  std::swap(logged_, handed_);
  record::RunRecorder::Report report;
  on_wired_thread([&] {
    handed_.replay(bus_);
    wired_->drain(t_s);
    platform_.finish(t_s);  // attacks: the broker flood's messages after the last delivery
    recorder_.flush(writer);
    const std::array<const access::AccessNetwork*, 3> access = {&lorawan_, &nbiot_, &wifi_};
    report = recorder_.finish(writer, {fleet_, *wired_, access, wifi_, platform_, &attack_log_}, t_s);
  });
  return report;
}

}  // namespace citytwin::sim::app
