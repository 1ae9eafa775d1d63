#include "sim/record/attack_log.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "models/radio/adr.hpp"

namespace citytwin::sim::record {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio(double a, double b) { return b > 0 ? a / b : kNaN; }
double ratio(uint64_t a, uint64_t b) { return ratio(static_cast<double>(a), static_cast<double>(b)); }

}  // namespace

AttackLog::AttackLog(const scenario::Scenario& scenario, const city::CityLayout& city,
                     const attacks::AttackSet& attacks, events::Bus& bus)
    : scenario_(scenario), city_(city), attacks_(attacks) {
  if (!attacks.active()) return;
  const scenario::Attacks& a = scenario.attacks;
  for (size_t i = 0; i < a.jamming.size(); ++i)
    windows_.push_back({a.jamming[i].start_s, a.jamming[i].end_s, Jamming, i});
  for (size_t i = 0; i < a.compromised.size(); ++i)
    windows_.push_back({a.compromised[i].start_s, attacks.compromised().end_of(i), Compromised, i});
  for (size_t i = 0; i < a.platform_dos.size(); ++i)
    windows_.push_back({a.platform_dos[i].start_s, a.platform_dos[i].end_s,
                        a.platform_dos[i].target == "network_server" ? ServerFlood : BrokerFlood, i});
  counts_.resize(windows_.size());
  bus.subscribe<events::FrameResolved>([this](const events::FrameResolved& f) { on_resolved(f); });
  bus.subscribe<events::CopyDelivered>([this](const events::CopyDelivered& c) {
    on_copy_done(c.seq, c.first, c.t_delivered_s, false);
    // A retransmission of a report already passed on goes to no broker: delivered, its report there.
    if (c.first && c.retransmission) on_brokered({c.seq, c.t_delivered_s, true});
  });
  bus.subscribe<events::CopyDropped>([this](const events::CopyDropped& c) {
    on_copy_done(c.seq, false, 0.0, c.reason == output::FailReason::ServerOverload);
  });
  bus.subscribe<events::MessageBrokered>([this](const events::MessageBrokered& m) { on_brokered(m); });
}

void AttackLog::on_resolved(const events::FrameResolved& f) {
  if (!f.tx.sent || attacks_.compromised().attack_of(f.tx.device) >= 0) return;
  ++honest_sent_;
  for (size_t a = 0; a < windows_.size(); ++a) {
    const Phase p = windows_[a].phase(f.tx.t_start_s);
    ++counts_[a].sent[p];
    if (f.fail_reason == output::FailReason::Collision) ++counts_[a].collisions[p];
    if (f.fail_reason == output::FailReason::Jammed) ++counts_[a].jammed[p];
  }
  if (!f.gateways_received.empty())
    in_flight_.emplace(f.seq, InFlight{f.tx.t_start_s, f.tx.t_end_s,
                                       static_cast<uint32_t>(f.gateways_received.size()), false, false});
}

void AttackLog::on_copy_done(uint64_t seq, bool delivered, double t_s, bool overloaded) {
  const auto it = in_flight_.find(seq);
  if (it == in_flight_.end()) return;
  InFlight& f = it->second;
  f.overloaded = f.overloaded || overloaded;
  if (delivered) {
    f.delivered = true;
    for (size_t a = 0; a < windows_.size(); ++a) {
      const Phase p = windows_[a].phase(f.t_tx_s);
      counts_[a].latency_sum_s[p] += t_s - f.t_end_s;
      ++counts_[a].latency_n[p];
    }
  }
  // A delivered frame waits for the broker (on_brokered); a lost one is settled with its last copy.
  if (--f.copies_left > 0 || f.delivered) return;
  if (f.overloaded)
    for (size_t a = 0; a < windows_.size(); ++a) ++counts_[a].overloaded[windows_[a].phase(f.t_tx_s)];
  in_flight_.erase(it);
}

void AttackLog::on_brokered(const events::MessageBrokered& m) {
  const auto it = in_flight_.find(m.seq);
  if (it == in_flight_.end()) return;
  const double t_tx = it->second.t_tx_s;
  in_flight_.erase(it);  // later copies are duplicates
  honest_delivered_ += m.accepted;
  for (size_t a = 0; a < windows_.size(); ++a) {
    const Phase p = windows_[a].phase(t_tx);
    ++(m.accepted ? counts_[a].delivered : counts_[a].broker_dropped)[p];
  }
}

void AttackLog::add_kpis(output::KpiList& kpis,
                         const std::array<uint64_t, output::kFailReasons>& fail_reasons) const {
  if (!active()) return;
  const auto lost = [&](output::FailReason r) {
    return static_cast<double>(fail_reasons[static_cast<size_t>(r)]);
  };
  uint64_t attack_frames = 0, bogus = 0, flagged = 0;
  for (uint64_t n : attacks_.compromised().frames()) attack_frames += n;
  for (uint64_t n : attacks_.broker_flood().sent()) bogus += n;
  for (uint64_t n : attacks_.network_server_flood().sent()) bogus += n;
  if (const platform::RateAnomalyDetector* detector = attacks_.detector())
    for (uint32_t d = 0; d < city_.device_count(); ++d) flagged += std::isfinite(detector->flagged_at_s(d));
  kpis.emplace_back("lost_jammed", lost(output::FailReason::Jammed));
  kpis.emplace_back("lost_blocked", lost(output::FailReason::Blocked));
  kpis.emplace_back("lost_server_overload", lost(output::FailReason::ServerOverload));
  kpis.emplace_back("honest_uplinks_sent", static_cast<double>(honest_sent_));
  kpis.emplace_back("honest_uplinks_delivered", static_cast<double>(honest_delivered_));
  kpis.emplace_back("attack_frames", static_cast<double>(attack_frames));
  kpis.emplace_back("bogus_messages", static_cast<double>(bogus));
  kpis.emplace_back("devices_compromised", static_cast<double>(attacks_.compromised().devices().size()));
  kpis.emplace_back("devices_flagged", static_cast<double>(flagged));
}

output::KpiTable AttackLog::table(const std::vector<events::AlertRaised>& alerts) const {
  const scenario::Attacks& attacks = scenario_.attacks;
  const engine::CompromisedTraffic& compromised = attacks_.compromised();
  const platform::RateAnomalyDetector* detector = attacks_.detector();
  output::KpiTable table;
  table.key_name = "attack";
  const std::vector<std::string> names = {"kind",
                                          "start_s",
                                          "end_s",
                                          "honest_sent_before",
                                          "honest_sent_during",
                                          "honest_sent_after",
                                          "honest_delivery_ratio_before",
                                          "honest_delivery_ratio_during",
                                          "honest_delivery_ratio_after",
                                          "honest_latency_before_mean_s",
                                          "honest_latency_during_mean_s",
                                          "honest_latency_after_mean_s",
                                          "lost_to_attack",
                                          "attack_messages",
                                          "attack_messages_dropped",
                                          "targets",
                                          "devices_flagged",
                                          "false_positives",
                                          "time_to_detect_s",
                                          "detect_mean_s",
                                          "alerts_during",
                                          "alert_latency_during_mean_s",
                                          "alert_latency_outside_mean_s"};
  std::vector<std::vector<double>> columns(names.size());
  uint64_t false_positives = 0;
  if (detector != nullptr)
    for (uint32_t d = 0; d < city_.device_count(); ++d)
      false_positives += compromised.attack_of(d) < 0 && std::isfinite(detector->flagged_at_s(d));
  for (size_t a = 0; a < windows_.size(); ++a) {
    const Window& w = windows_[a];
    const Counts& c = counts_[a];
    const std::string& name = w.kind == Jamming       ? attacks.jamming[w.index].name
                              : w.kind == Compromised ? attacks.compromised[w.index].name
                                                      : attacks.platform_dos[w.index].name;
    table.keys.push_back(name);
    double lost = kNaN, messages = 0.0, dropped = kNaN, targets = kNaN, flagged = kNaN, fp = kNaN;
    double detect = kNaN, detect_mean = kNaN;
    if (w.kind == Jamming) {
      lost = static_cast<double>(c.jammed[During]);
      targets = 0.0;
      // The jammer alone at least doubles the gateway's noise floor in a 125 kHz channel (+3 dB).
      const double noise_dbm = models::radio::noise_floor_dbm(125e3, scenario_.channel.noise_figure_db);
      for (uint32_t g = 0; g < city_.gateway_count(); ++g)
        targets += attacks_.jamming_field().received_dbm(w.index, g) >= noise_dbm;
    } else if (w.kind == Compromised) {
      // Collisions beyond the rate before the attack (an estimate: frames are not tagged with what they
      // collided with).
      const double expected =
          static_cast<double>(c.sent[During]) * ratio(c.collisions[Before], c.sent[Before]);
      lost =
          std::max(0.0, static_cast<double>(c.collisions[During]) - (std::isnan(expected) ? 0.0 : expected));
      messages = static_cast<double>(compromised.frames()[w.index]);
      targets = 0.0;
      flagged = 0.0;
      double first = std::numeric_limits<double>::infinity(), sum = 0.0;
      for (uint32_t d : compromised.devices()) {
        if (compromised.attack_of(d) != static_cast<int>(w.index)) continue;
        ++targets;
        const double t = detector->flagged_at_s(d);
        if (!std::isfinite(t)) continue;
        ++flagged;
        first = std::min(first, t);
        sum += t - w.start_s;
      }
      fp = static_cast<double>(false_positives);
      if (std::isfinite(first)) detect = first - w.start_s;
      if (flagged > 0) detect_mean = sum / flagged;
    } else if (w.kind == BrokerFlood) {
      const platform::PlatformFlood& flood = attacks_.broker_flood();
      lost = static_cast<double>(c.broker_dropped[During]);
      messages = static_cast<double>(flood.sent()[w.index]);
      dropped = static_cast<double>(flood.dropped()[w.index]);
      if (flood.alarm_at_s() >= w.start_s && flood.alarm_at_s() < w.end_s)
        detect = flood.alarm_at_s() - w.start_s;
    } else {
      const network::ServerFlood& flood = attacks_.network_server_flood();
      lost = static_cast<double>(c.overloaded[During]);
      messages = static_cast<double>(flood.sent()[w.index]);
      dropped = static_cast<double>(flood.dropped()[w.index]);
    }
    // Alert latency (from the physical event to the operations centre) of alerts whose event began
    // during the attack, and of the others.
    double during_sum = 0.0, outside_sum = 0.0;
    uint64_t during = 0, outside = 0;
    for (const events::AlertRaised& alert : alerts) {
      if (std::isnan(alert.t_event_s)) continue;
      const bool in = w.phase(alert.t_event_s) == During;
      (in ? during_sum : outside_sum) += alert.t_alert_s - alert.t_event_s;
      ++(in ? during : outside);
    }
    const double values[] = {static_cast<double>(w.kind),
                             w.start_s,
                             w.end_s,
                             static_cast<double>(c.sent[Before]),
                             static_cast<double>(c.sent[During]),
                             static_cast<double>(c.sent[After]),
                             ratio(c.delivered[Before], c.sent[Before]),
                             ratio(c.delivered[During], c.sent[During]),
                             ratio(c.delivered[After], c.sent[After]),
                             ratio(c.latency_sum_s[Before], static_cast<double>(c.latency_n[Before])),
                             ratio(c.latency_sum_s[During], static_cast<double>(c.latency_n[During])),
                             ratio(c.latency_sum_s[After], static_cast<double>(c.latency_n[After])),
                             lost,
                             messages,
                             dropped,
                             targets,
                             flagged,
                             fp,
                             detect,
                             detect_mean,
                             static_cast<double>(during),
                             ratio(during_sum, static_cast<double>(during)),
                             ratio(outside_sum, static_cast<double>(outside))};
    for (size_t k = 0; k < names.size(); ++k) columns[k].push_back(values[k]);
  }
  for (size_t k = 0; k < names.size(); ++k) table.columns.emplace_back(names[k], std::move(columns[k]));
  return table;
}

output::KpiTable AttackLog::flagged_devices() const {
  const engine::CompromisedTraffic& compromised = attacks_.compromised();
  const platform::RateAnomalyDetector* detector = attacks_.detector();
  output::KpiTable t;
  t.key_name = "device";
  std::vector<double> attack, flagged_at;
  for (uint32_t d = 0; d < city_.device_count(); ++d) {
    const int a = compromised.attack_of(d);
    const double at =
        detector != nullptr ? detector->flagged_at_s(d) : std::numeric_limits<double>::infinity();
    if (a < 0 && !std::isfinite(at)) continue;
    t.keys.push_back(std::to_string(d));
    attack.push_back(a < 0 ? -1.0 : static_cast<double>(a));
    flagged_at.push_back(std::isfinite(at) ? at : kNaN);
  }
  t.columns.emplace_back("compromised_by", std::move(attack));
  t.columns.emplace_back("t_flagged_s", std::move(flagged_at));
  return t;
}

}  // namespace citytwin::sim::record
