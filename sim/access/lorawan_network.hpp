// LoRaWAN as one access network: the radio medium (every gateway's receptions) and the network
// server's MAC (ACKs and ADR downlinks, which occupy the gateways). A frame is published
// (events::FrameResolved: its receiving gateways forward their copies) once the medium has settled it
// everywhere, after the server has decided its downlink (events::DownlinkSent). It also carries the reports
// that were never sent (a dead battery, any radio): they are settled at once as FailReason::DeviceDead.
#pragma once

#include "sim/access/access_network.hpp"
#include "sim/access/lorawan_server.hpp"
#include "sim/access/radio_medium.hpp"
#include "sim/drivers/gateway_timeline.hpp"

namespace citytwin::sim::access {

class LorawanNetwork final : public AccessNetwork {
 public:
  // The server answers through powered gateways it can reach, while it is up (timeline). Every
  // argument must outlive the network.
  LorawanNetwork(const scenario::Scenario& scenario, const city::CityLayout& city,
                 const drivers::GatewayTimeline& timeline);

  bool carries(const engine::Transmission& tx) const override {
    return tx.technology == scenario::Technology::LoRaWAN || !tx.sent;
  }
  void submit(uint64_t seq, const engine::Transmission& tx) override { medium_.submit(seq, tx); }
  void step(double t_s, core::ThreadPool& pool, events::Bus& bus) override;
  void add_kpis(output::KpiList& kpis) const override;

  const LorawanServer& server() const { return server_; }
  // Jammers on the medium (attacks.jamming, sim/access/jamming.hpp); null: none. It must outlive the network.
  void set_jamming(const JammingField* jamming) { medium_.set_jamming(jamming); }
  // The pool's lane worker also runs the wired network and the recorders (RadioMedium::share_with_lane).
  void share_with_lane(bool lane) { medium_.share_with_lane(lane); }

 private:
  RadioMedium medium_;
  LorawanServer server_;
};

}  // namespace citytwin::sim::access
