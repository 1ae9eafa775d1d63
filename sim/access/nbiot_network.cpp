#include "sim/access/nbiot_network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/radio/adr.hpp"
#include "sim/core/rng.hpp"

namespace citytwin::sim::access {
namespace {
using models::radio::CeLevel;
using output::FailReason;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

NbiotNetwork::NbiotNetwork(const scenario::Scenario& scenario, const city::CityLayout& city, uint64_t seed,
                           const drivers::GatewayTimeline& timeline)
    : city_(city),
      timeline_(timeline),
      seed_(seed),
      cell_config_(scenario.nbiot.cell),
      timers_(scenario.nbiot.timers),
      access_(scenario.nbiot),
      noise_figure_db_(scenario.channel.noise_figure_db),
      any_population_(std::any_of(
          scenario.devices.begin(), scenario.devices.end(),
          [](const scenario::DevicePopulation& p) { return p.technology == scenario::Technology::NbIot; })),
      carrier_free_at_s_(city.gateway_count(), 0.0) {}

void NbiotNetwork::step(double t_s, core::ThreadPool& /*pool*/, events::Bus& bus) {
  step(t_s, [&](const NbiotOutcome& o) {
    events::FrameResolved f;
    f.seq = o.seq;
    f.tx = o.tx;
    f.gateways_received = o.served ? std::span<const uint32_t>(&o.cell, 1) : std::span<const uint32_t>();
    f.rssi_received_dbm = o.served ? std::span<const float>(&o.rssi_dbm, 1) : std::span<const float>();
    f.gateways_in_range = std::isnan(o.rssi_dbm) ? 0 : 1;
    f.best_rssi_dbm = o.rssi_dbm;
    // NB-IoT SNR on its 180 kHz carrier (the module's noise figure is the gateway one's here).
    f.snr_db = static_cast<float>(models::radio::snr_db(o.rssi_dbm, 180e3, noise_figure_db_));
    f.t_received_s = o.t_served_s;
    f.fail_reason = o.fail_reason;
    bus.publish(f);
    bus.publish(events::ChargeDrawn{o.tx.device, o.charge_mah});
  });
}

void NbiotNetwork::add_kpis(output::KpiList& kpis) const {
  kpis.emplace_back("nbiot_preamble_collisions", static_cast<double>(preamble_collisions_));
  kpis.emplace_back("nbiot_access_failures", static_cast<double>(access_failures_));
  if (!any_population_) return;
  // The mean over the NB-IoT devices of their populations' mean downlink delay: each uplink's connected
  // time and idle cycle make the device reachable, as do the TAUs (models/radio/nbiot_power.hpp). An
  // event-driven population's reports are not known in advance: its TAU cycle alone (an upper bound).
  std::vector<size_t> devices(city_.populations.size(), 0);
  for (uint16_t p : city_.device_population) ++devices[p];
  double weighted = 0.0;
  size_t nbiot = 0;
  for (size_t p = 0; p < city_.populations.size(); ++p) {
    const city::PopulationProfile& pop = city_.populations[p];
    if (pop.technology != scenario::Technology::NbIot || devices[p] == 0) continue;
    const double interval = pop.event ? std::numeric_limits<double>::infinity() : pop.interval_s;
    const auto timing = pop.traffic == scenario::Traffic::Poisson ? models::radio::UplinkTiming::Poisson
                                                                  : models::radio::UplinkTiming::Periodic;
    weighted += static_cast<double>(devices[p]) *
                models::radio::mean_downlink_delay_s(timers_, interval, timing, timers_.rrc_inactivity_s);
    nbiot += devices[p];
  }
  kpis.emplace_back("nbiot_downlink_delay_mean_s",
                    nbiot > 0 ? weighted / static_cast<double>(nbiot)
                              : models::radio::downlink_reachability(timers_).mean_delay_s);
}

void NbiotNetwork::schedule(Attempt a, int64_t occasion_index) {
  const double period = cell_config_.level(a.ce).nprach_periodicity_s;
  occasions_[{static_cast<double>(occasion_index) * period, a.cell, static_cast<int>(a.ce)}].push_back(
      std::move(a));
}

void NbiotNetwork::submit(uint64_t seq, const engine::Transmission& tx) {
  // The serving cell: the strongest link (least coupling loss).
  float best_gain = -std::numeric_limits<float>::infinity();
  uint32_t cell = 0;
  for (uint64_t k = city_.link_offset[tx.device]; k < city_.link_offset[tx.device + 1]; ++k) {
    if (city_.link_gain_db[k] > best_gain) {
      best_gain = city_.link_gain_db[k];
      cell = city_.link_gateway[k];
    }
  }
  const auto ce = models::radio::ce_level_for_coupling_loss(-best_gain, cell_config_.thresholds);
  if (!ce) {
    pending_out_of_coverage_.push_back({seq, tx});
    return;
  }
  const Attempt attempt{seq, tx, cell, tx.tx_power_dbm + best_gain, *ce, 0, 0.0};
  // A cell without power broadcasts nothing: the module finds no cell to send to.
  if (!timeline_.powered(cell, tx.t_start_s)) {
    pending_cell_down_.push_back(attempt);
    return;
  }
  const double period = cell_config_.level(*ce).nprach_periodicity_s;
  // The first occasion strictly after the module is ready.
  const auto first = static_cast<int64_t>(std::floor(tx.t_start_s / period)) + 1;
  schedule(attempt, first);
}

void NbiotNetwork::serve(const Attempt& a, double t_occasion_s,
                         const std::function<void(const NbiotOutcome&)>& sink) {
  const auto& level = cell_config_.level(a.ce);
  const int bytes = city_.populations[engine::population_of(city_, a.tx)].payload_bytes;
  models::radio::UplinkProcedureParams params;
  params.nprach_wait_s = 0.0;  // the wait until this occasion is counted from the ready time below
  const models::radio::UplinkProcedure procedure =
      models::radio::uplink_procedure(bytes, a.ce, cell_config_, params);
  // The data's blocks with their uplink gaps: the time the carrier gives them.
  const double data_s = models::radio::npusch_plan(bytes, level.npusch).span_s;
  // The data shares the cell's uplink carrier: a FIFO in proportion to the tones it occupies.
  const double tone_share = models::radio::occupied_tones_15k(level.npusch.allocation) /
                            static_cast<double>(cell_config_.uplink_tones_15k);
  const double data_ready = t_occasion_s + procedure.latency_s() - data_s;
  double& free_at = carrier_free_at_s_[a.cell];
  const double start = std::max(data_ready, free_at);
  // The cell loses power before the data is through: the procedure breaks off.
  if (timeline_.off_during(a.cell, t_occasion_s, start + data_s))
    return lose_to_power_cut(a, a.attempt + 1, sink);
  free_at = start + data_s * tone_share;
  NbiotOutcome out;
  out.seq = a.seq;
  out.tx = a.tx;
  out.tx.t_end_s = a.tx.t_start_s + data_s;
  out.cell = a.cell;
  out.rssi_dbm = a.rssi_dbm;
  out.served = true;
  out.t_served_s = start + data_s;
  out.preamble_attempts = a.attempt + 1;
  out.ce = a.ce;
  // The message with its RRC inactivity tail, then idle paging for T3324 (or until the next report);
  // the PSM sleep after that is the firmware's sleep current, charged by the fleet.
  const double interval = city_.populations[engine::population_of(city_, a.tx)].interval_s;
  out.charge_mah =
      a.charge_mah + models::radio::message_energy(procedure, power_, timers_).charge_mah() +
      models::radio::idle_charge_mas(std::min(interval, timers_.active_time_s), timers_, power_) / 3600.0;
  sink(out);
}

void NbiotNetwork::lose_to_power_cut(const Attempt& a, int preambles,
                                     const std::function<void(const NbiotOutcome&)>& sink) {
  NbiotOutcome out;
  out.seq = a.seq;
  out.tx = a.tx;
  out.cell = a.cell;
  out.rssi_dbm = a.rssi_dbm;
  out.preamble_attempts = preambles;
  out.ce = a.ce;
  out.charge_mah = a.charge_mah;
  out.fail_reason = FailReason::GatewayDown;
  sink(out);
}

void NbiotNetwork::step(double t_s, const std::function<void(const NbiotOutcome&)>& sink) {
  for (const Attempt& a : pending_cell_down_) lose_to_power_cut(a, 0, sink);
  pending_cell_down_.clear();
  for (const auto& [seq, tx] : pending_out_of_coverage_) {
    NbiotOutcome out;
    out.seq = seq;
    out.tx = tx;
    out.rssi_dbm = static_cast<float>(kNaN);
    out.fail_reason = FailReason::BelowSensitivity;
    sink(out);
  }
  pending_out_of_coverage_.clear();
  while (!occasions_.empty() && std::get<0>(occasions_.begin()->first) < t_s) {
    auto node = occasions_.extract(occasions_.begin());
    const double t_occ = std::get<0>(node.key());
    std::vector<Attempt>& attempts = node.mapped();
    std::sort(attempts.begin(), attempts.end(),
              [](const Attempt& a, const Attempt& b) { return a.seq < b.seq; });
    const auto ce = static_cast<CeLevel>(std::get<2>(node.key()));
    const auto& level = cell_config_.level(ce);
    // A preamble that fails (collided, or unheard by a cell without power) is charged here; the one that
    // succeeds is the procedure's own "preamble" phase, charged with the message (serve).
    const double preamble_mah =
        models::radio::nprach_preamble_duration_s(cell_config_.nprach_format, level.nprach_repetitions) *
        power_.tx_current_ma / 3600.0;
    // Each device picks one of the level's preambles, from its message's own stream.
    std::vector<uint32_t> choice(attempts.size());
    std::vector<int> users(static_cast<size_t>(level.nprach_subcarriers), 0);
    for (size_t i = 0; i < attempts.size(); ++i) {
      core::Stream rng(core::stream_key(seed_, core::purpose_tag("nprach"), attempts[i].seq),
                       static_cast<uint64_t>(attempts[i].attempt) * 2);
      choice[i] = rng.below(static_cast<uint32_t>(level.nprach_subcarriers));
      ++users[choice[i]];
    }
    const auto index = static_cast<int64_t>(std::llround(t_occ / level.nprach_periodicity_s));
    // A cell without power hears no preamble; the devices give up on it (no reselection, no retry).
    const bool cell_down = !timeline_.powered(std::get<1>(node.key()), t_occ);
    for (size_t i = 0; i < attempts.size(); ++i) {
      Attempt a = attempts[i];
      if (cell_down) {
        a.charge_mah += preamble_mah;
        lose_to_power_cut(a, a.attempt + 1, sink);
        continue;
      }
      if (users[choice[i]] == 1) {
        serve(a, t_occ, sink);
        continue;
      }
      a.charge_mah += preamble_mah;
      ++preamble_collisions_;
      if (a.attempt + 1 < access_.max_preamble_attempts) {
        core::Stream rng(core::stream_key(seed_, core::purpose_tag("nprach"), a.seq),
                         static_cast<uint64_t>(a.attempt) * 2 + 1);
        const auto backoff =
            static_cast<int64_t>(rng.below(static_cast<uint32_t>(access_.backoff_occasions) + 1));
        ++a.attempt;
        schedule(std::move(a), index + 1 + backoff);
        continue;
      }
      ++access_failures_;
      NbiotOutcome out;
      out.seq = a.seq;
      out.tx = a.tx;
      out.cell = a.cell;
      out.rssi_dbm = a.rssi_dbm;
      out.preamble_attempts = a.attempt + 1;
      out.ce = a.ce;
      out.charge_mah = a.charge_mah;
      out.fail_reason = FailReason::RandomAccess;
      sink(out);
    }
  }
}

}  // namespace citytwin::sim::access
