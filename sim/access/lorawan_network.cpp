#include "sim/access/lorawan_network.hpp"

namespace citytwin::sim::access {

LorawanNetwork::LorawanNetwork(const scenario::Scenario& scenario, const city::CityLayout& city,
                               const drivers::GatewayTimeline& timeline)
    : medium_(scenario, city, timeline),
      server_(scenario, city, medium_,
              [&timeline](uint32_t gateway, double t_s) { return timeline.reachable(gateway, t_s); }) {}

void LorawanNetwork::step(double t_s, core::ThreadPool& pool, events::Bus& bus) {
  medium_.step(t_s, pool, [&](const events::FrameResolved& frame) {
    server_.on_frame(frame, bus);
    bus.publish(frame);
  });
}

void LorawanNetwork::add_kpis(output::KpiList& kpis) const {
  kpis.emplace_back("downlinks_sent", static_cast<double>(server_.downlinks_sent()));
  kpis.emplace_back("downlinks_rx2", static_cast<double>(server_.downlinks_rx2()));
  kpis.emplace_back("downlinks_failed", static_cast<double>(server_.downlinks_failed()));
  kpis.emplace_back("downlinks_unheard", static_cast<double>(server_.downlinks_unheard()));
  kpis.emplace_back("downlinks_rx1_late", static_cast<double>(server_.downlinks_rx1_late()));
  kpis.emplace_back("adr_commands", static_cast<double>(server_.adr_commands()));
  // The medium's work, and whether it was the approximation (radio.receptions: strongest; 0: exact).
  kpis.emplace_back("lora_receptions", static_cast<double>(medium_.receptions()));
  kpis.emplace_back("lora_strongest_k", static_cast<double>(medium_.strongest_k()));
  kpis.emplace_back("lora_demodulator_refused_ratio", medium_.demodulator_refused_ratio());
}

}  // namespace citytwin::sim::access
