// NB-IoT cells (eNodeB sectors) serving NB-IoT devices: coverage-enhancement level from the coupling
// loss, random access on NPRACH with a limited number of preambles per occasion (two devices picking
// the same preamble at the same occasion of the same cell and CE level both fail, then back off and
// retry), the access and data procedure with CE repetitions, and a FIFO uplink carrier per cell.
// Models: models/radio/nbiot_phy.hpp (CE levels, NPUSCH, NPRACH), nbiot_access.hpp (procedure),
// nbiot_power.hpp (module energy). Occasions are resolved in time order once every device that could
// contend for them has been seen (the window's end), so results do not depend on the thread count.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "models/radio/nbiot_access.hpp"
#include "models/radio/nbiot_phy.hpp"
#include "models/radio/nbiot_power.hpp"
#include "output/records.hpp"
#include "sim/access/access_network.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/drivers/gateway_timeline.hpp"
#include "sim/engine/fleet.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::access {

struct NbiotOutcome {
  uint64_t seq = 0;
  engine::Transmission tx;  // t_start_s: module ready; t_end_s: t_start_s + NPUSCH data airtime
  uint32_t cell = 0;        // gateway index of the serving cell (when there is one)
  float rssi_dbm = 0.0f;    // at the serving cell; NaN when out of coverage
  bool served = false;      // the data reached the cell
  double t_served_s = 0.0;  // end of the data transmission
  int preamble_attempts = 0;
  models::radio::CeLevel ce = models::radio::CeLevel::Ce0;
  double charge_mah = 0.0;  // the module's charge for this message
  output::FailReason fail_reason = output::FailReason::None;
};

class NbiotNetwork final : public AccessNetwork {
 public:
  // A cell without power (timeline) serves nothing: a message whose serving cell is off when the
  // module is ready, at one of its NPRACH occasions or before its data is through is lost
  // (FailReason::GatewayDown). Devices do not reselect another cell (the serving cell is the strongest
  // link, powered or not). `timeline` must outlive the network.
  NbiotNetwork(const scenario::Scenario& scenario, const city::CityLayout& city, uint64_t seed,
               const drivers::GatewayTimeline& timeline);

  bool carries(const engine::Transmission& tx) const override {
    return tx.technology == scenario::Technology::NbIot && tx.sent;
  }
  void submit(uint64_t seq, const engine::Transmission& tx) override;
  // Resolves every NPRACH occasion before t_s, in time order; sink gets each finished message.
  void step(double t_s, const std::function<void(const NbiotOutcome&)>& sink);
  // The same, publishing each message as events::FrameResolved (the serving cell as its one
  // gateway, received when its data is through; SNR on the 180 kHz carrier) and its module's charge
  // as events::ChargeDrawn.
  void step(double t_s, core::ThreadPool& pool, events::Bus& bus) override;
  // nbiot_preamble_collisions, nbiot_access_failures; nbiot_downlink_delay_mean_s when a population
  // uses NB-IoT.
  void add_kpis(output::KpiList& kpis) const override;

  uint64_t preamble_collisions() const { return preamble_collisions_; }
  uint64_t access_failures() const { return access_failures_; }

 private:
  struct Attempt {
    uint64_t seq;
    engine::Transmission tx;
    uint32_t cell;
    float rssi_dbm;
    models::radio::CeLevel ce;
    int attempt;        // 0 for the first preamble
    double charge_mah;  // the failed preambles sent so far
  };
  using OccasionKey = std::tuple<double, uint32_t, int>;  // time, cell, CE level

  void schedule(Attempt a, int64_t occasion_index);
  void serve(const Attempt& a, double t_occasion_s, const std::function<void(const NbiotOutcome&)>& sink);
  // The message is lost at a cell without power.
  void lose_to_power_cut(const Attempt& a, int preambles,
                         const std::function<void(const NbiotOutcome&)>& sink);

  const city::CityLayout& city_;
  const drivers::GatewayTimeline& timeline_;
  uint64_t seed_;
  models::radio::NbiotCellConfig cell_config_;
  models::radio::NbiotPowerProfile power_;
  models::radio::NbiotTimers timers_;
  scenario::Nbiot access_;
  double noise_figure_db_;
  bool any_population_ = false;  // some population uses NB-IoT
  std::map<OccasionKey, std::vector<Attempt>> occasions_;
  std::vector<double> carrier_free_at_s_;  // per gateway index (cells only)
  std::vector<std::pair<uint64_t, engine::Transmission>> pending_out_of_coverage_;
  std::vector<Attempt> pending_cell_down_;  // ready while their cell was without power
  uint64_t preamble_collisions_ = 0, access_failures_ = 0;
};

}  // namespace citytwin::sim::access
