// The components of one run, assembled on its event bus (docs/ARCHITECTURE.md, "The flow of events"):
//
//   engine::Fleet --Transmission--> engine::Sequencer --(seq, tx)--> access::AccessNetwork (one per radio)
//     access networks --FrameResolved, DownlinkSent, ChargeDrawn, StreamStarted--> bus
//     engine::Fleet (subscribed to DownlinkSent, ChargeDrawn): the device's side of the downlink and charge
//     network::WiredNetwork (subscribed: each receiving gateway's copy of a frame, the streams)
//       --CopyDelivered, CopyDropped, MessageIngested--> bus
//     platform::PlatformStages (subscribed) --AlertRaised--> bus
//     record::RunRecorder (subscribed): /messages, /kpi, /timeseries
//
// With a thread pool of two threads or more, in a city whose forwarding periods hold enough work
// (RunOptions::lane_min_reports_per_period), the part after the radio (the wired network, the platform, the
// recorders and the trace: `bus_`'s subscribers) runs on the pool's lane (core::ThreadPool::post), one
// forwarding period behind the windows: the access networks publish on `access_bus_`, whose FrameResolved
// and StreamStarted are kept in an events::EventLog and published on `bus_` by the lane, in
// the same order, before it advances the wired network. Nothing there flows back to the radio or the
// fleet (DownlinkSent and ChargeDrawn come from the access networks and stay on `access_bus_`), so the
// results are those of one thread. SimGrid is bound to the thread it started on: the wired network is
// built, advanced and destroyed on the lane.
//
// To add a radio: an access::AccessNetwork, a member here and its entry in access_. To add a driver
// that changes the city: it goes into drivers:: and is consulted by the components (as the gateway
// timeline is). To add a recorder: subscribe it to the bus in record::RunRecorder.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <vector>

#include "output/trace_writer.hpp"
#include "sim/access/access_network.hpp"
#include "sim/access/lorawan_network.hpp"
#include "sim/access/nbiot_network.hpp"
#include "sim/access/wifi_access.hpp"
#include "sim/attacks/attack_set.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/distributed/city_split.hpp"
#include "sim/drivers/driver_set.hpp"
#include "sim/drivers/gateway_timeline.hpp"
#include "sim/engine/fleet.hpp"
#include "sim/engine/sequencer.hpp"
#include "sim/events/bus.hpp"
#include "sim/events/event_log.hpp"
#include "sim/network/wired_network.hpp"
#include "sim/platform/platform_stages.hpp"
#include "sim/record/run_recorder.hpp"

namespace citytwin::sim::app {

class RunAssembly {
 public:
  // Builds every component (the SimGrid platform too: one assembly per process at a time) and starts
  // the static streams. Throws RunError when the failure schedule is too long.
  // pool: the run's threads (its size partitions the fleet); it must outlive the assembly. Its lane carries
  // the wired network and the recorders when the scenario's estimated uplink reports per forwarding period
  // reach lane_min_reports_per_period (RunOptions).
  RunAssembly(const scenario::Scenario& scenario, const city::CityLayout& city, uint64_t seed,
              core::ThreadPool& pool, double lane_min_reports_per_period);
  RunAssembly(const RunAssembly&) = delete;
  RunAssembly& operator=(const RunAssembly&) = delete;
  ~RunAssembly();

  // One window, up to t_s: the fleet's wake-ups, their uplinks numbered and handed to their access
  // networks, which resolve what is settled.
  void advance(double t_s);
  // Every forward_batch: the wired network runs up to t_s and the settled rows reach the trace (on the
  // pool's lane, while the next windows run, when it has one).
  void forward(double t_s, output::TraceWriter& writer);
  // After the last window (t_s, or where the run stopped): settles what is on the air and in the
  // network, writes the remaining rows, the /kpi and /timeseries.
  record::RunRecorder::Report finish(double t_s, output::TraceWriter& writer);

  // One city over ranks (rank 0; sim/distributed): the fleet steps only this rank's districts, each
  // window's transmissions are exchanged with the other ranks, and the fleet adopts their devices'
  // state before the KPIs. Call before the first window; split must outlive the assembly.
  void split_over(distributed::CitySplit& split);
  // Whether the run stops after this window: a stop request here, or on any rank when split.
  bool stop_requested() const;

  // Uplinks numbered so far (the progress line's count).
  uint64_t uplinks() const { return sequencer_.numbered(); }

 private:
  access::AccessNetwork& network_for(const engine::Transmission& tx);
  // A forwarding period (on the lane, or here without one): the access networks' events logged since the
  // last (none without the lane), then the wired network up to t_s, then the settled rows to the trace.
  void forward_logged(double t_s, output::TraceWriter& writer);
  // Runs f where the wired network lives: on the lane (and waits for it), or here.
  void on_wired_thread(const std::function<void()>& f);

  // With a lane, the simulation thread (the windows) and the lane's worker (a forwarding period: bus_ and its
  // subscribers, handed_) run side by side. What one writes starts on a cache line of its own (alignas(64),
  // EventLog's too), away from what the other reads: packed, logged_'s first vector header shared a line
  // with bus_'s last handlers, so the line passed between the cores at every event logged and every message
  // the lane published (bench/RESULTS.md, "Lines the two threads shared").
  core::ThreadPool& pool_;
  const bool lane_;                     // the wired network and the recorders run on pool_'s lane
  alignas(64) events::Bus access_bus_;  // the access networks publish here; the fleet subscribes
  alignas(64) events::Bus bus_;  // the wired network, the platform, the attacks' detector and the recorders
  events::EventLog logged_;      // access_bus_'s events for bus_ since the last forward (lane_)
  events::EventLog handed_;      // those the lane is publishing
  // The quantities of drivers.* and the flood, before whoever reads them.
  alignas(64) drivers::DriverSet drivers_;
  alignas(64) engine::Fleet fleet_;
  drivers::GatewayTimeline timeline_;
  attacks::AttackSet attacks_;                // attacks: jammers, compromised devices, floods (sim/attacks)
  alignas(64) record::RunRecorder recorder_;  // subscribes first: a frame is recorded before it is forwarded
  record::AttackLog attack_log_;              // attacks: /kpi/attacks, /kpi/flagged_devices
  // Deletes the wired network where it lives (SimGrid's engine ends on the thread that started it), also
  // when the constructor fails after building it.
  struct DeleteOnWiredThread {
    RunAssembly* assembly = nullptr;
    void operator()(network::WiredNetwork* wired) const noexcept;
  };
  std::unique_ptr<network::WiredNetwork, DeleteOnWiredThread> wired_{nullptr, DeleteOnWiredThread{this}};
  alignas(64) platform::PlatformStages platform_;
  alignas(64) access::LorawanNetwork lorawan_;
  access::NbiotNetwork nbiot_;
  access::WifiAccess wifi_;
  std::array<access::AccessNetwork*, 3> access_;  // stepped in this order
  alignas(64) engine::Sequencer sequencer_;
  std::vector<engine::Transmission> produced_;
  distributed::CitySplit* split_ = nullptr;
  bool split_stop_ = false;  // a rank asked to stop, as the last exchange said
};

}  // namespace citytwin::sim::app
