#include "sim/engine/fleet.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/device/battery.hpp"
#include "models/device/retransmission.hpp"
#include "sim/core/prefetch.hpp"
#include "sim/core/rng.hpp"
#include "sim/drivers/traffic_reporters.hpp"

namespace citytwin::sim::engine {
namespace {

constexpr uint64_t kDeviceStream = core::purpose_tag("device");

}  // namespace

Fleet::Fleet(const city::CityLayout& city, uint64_t seed, double end_s, int threads,
             const drivers::DriverSet& drivers)
    : city_(city), seed_(seed), end_s_(end_s) {
  const size_t n = city.device_count();
  for (const city::PopulationProfile& pop : city.populations) sensed_.push_back(drivers.find(pop.senses));
  traffic_ = drivers.traffic();
  volume_ = drivers.find("traffic_volume");
  speed_ = drivers.find("traffic_speed");
  parking_ = drivers.find("parking_occupancy");
  for (const city::PopulationProfile& pop : city.populations) {
    const Role role =
        scenario::traffic_role(traffic_, pop.technology, pop.senses, drivers.find(pop.senses) != nullptr);
    role_.push_back(role);
    sampled_.push_back(pop.event.has_value() && role == Role::None ? 1 : 0);
  }
  parking_state_.assign(traffic_.enabled ? city.device_count() : 0, 0);
  for (const drivers::DistrictFlood& flood : drivers.flood())
    submerged_from_s_.push_back(flood.submerged_from_s);
  state_.resize(n);
  adr_setting_.resize(n);
  for (const city::PopulationProfile& pop : city.populations) {
    sub_band_slots_.emplace_back();
    const bool fits = sub_band_slots_.back().assign(city.region, pop.channels_hz_f);
    if (pop.duty_cycle && !fits) compact_duty_cycle_ = false;  // (a population without one never asks)
  }
  if (!compact_duty_cycle_) duty_cycle_.assign(n, models::radio::DutyCycleRegulator(city.region));
  if (std::any_of(city.populations.begin(), city.populations.end(),
                  [](const auto& p) { return p.event.has_value(); })) {
    reporters_.reserve(n);
    for (uint32_t dev = 0; dev < n; ++dev)
      reporters_.emplace_back(
          city.populations[city.device_population[dev]].event.value_or(models::device::EventRule{}));
  }

  // Partitions: each district split into chunks, at least 4 per thread overall when there is enough
  // work. Partitioning never changes results, only load balance.
  size_t districts = 0;
  for (uint16_t d : city.device_district) districts = std::max<size_t>(districts, d + 1u);
  std::vector<size_t> per_district(districts, 0);
  for (uint16_t d : city.device_district) ++per_district[d];
  const size_t target = std::max<size_t>(1, static_cast<size_t>(threads) * 4);
  const size_t chunk = std::clamp<size_t>((n + target - 1) / target, 1024, kMaxPartitionDevices);
  std::vector<size_t> first_partition(districts, 0);
  for (size_t d = 0; d < districts; ++d) {
    first_partition[d] = partitions_.size();
    partitions_.resize(partitions_.size() + std::max<size_t>(1, (per_district[d] + chunk - 1) / chunk));
    for (size_t p = first_partition[d]; p < partitions_.size(); ++p)
      partitions_[p].district = static_cast<uint16_t>(d);
  }
  std::vector<size_t> seen(districts, 0);
  for (uint32_t dev = 0; dev < n; ++dev) {
    const city::PopulationProfile& pop = city.populations[city.device_population[dev]];
    state_[dev].population = city.device_population[dev];
    state_[dev].battery_mah = pop.battery_mah;
    state_[dev].sf = city.device_sf[dev];
    state_[dev].tx_power_dbm = static_cast<float>(pop.tx_power_dbm);
    const uint16_t d = city.device_district[dev];
    Partition& part = partitions_[first_partition[d] + seen[d]++ / chunk];
    // First report: uniform over one interval (periodic) or exponential (Poisson), from the device's
    // own stream, so devices do not start in lockstep.
    if (pop.technology == scenario::Technology::WiFi) continue;  // streams, not reports (sim/wifi_access.hpp)
    const double u = uniform(dev);
    if (const Role role = role_[city.device_population[dev]]; role != Role::None) {
      // The first report on the traffic; heartbeat timers run from each device's own phase, not all
      // from 0 (a parking change put off by the heartbeat is redrawn after it: the chain is memoryless).
      double unused = 0.0;
      double first = next_traffic_report(dev, 0.0, false, unused);
      const double heartbeat =
          u * (role == Role::Counter ? traffic_.counter_heartbeat_s : traffic_.parking_heartbeat_s);
      if (heartbeat < first) {
        first = heartbeat;
        if (role == Role::Parking) parking_state_[dev] &= 1;  // a heartbeat, not a change
      }
      state_[dev].next_report_s = first;
      part.calendar.push({first, dev, Kind::Report});
      continue;
    }
    if (sampled_[city.device_population[dev]]) {
      part.calendar.push({u * pop.sample_interval_s, dev, Kind::Sample});
      continue;
    }
    const double first =
        pop.traffic == scenario::Traffic::Periodic ? u * pop.interval_s : -pop.interval_s * std::log(1.0 - u);
    part.calendar.push({first, dev, Kind::Report});
  }
}

double Fleet::uniform(uint32_t device) {
  core::Stream rng(core::stream_key(seed_, kDeviceStream, device), state_[device].rng_counter);
  const double u = rng.uniform();
  state_[device].rng_counter = rng.counter();
  return u;
}

void Fleet::prefetch(uint32_t dev) const {
  core::prefetch_for_write(&state_[dev]);
  if (!compact_duty_cycle_)
    core::prefetch_for_write(&duty_cycle_[dev], sizeof(duty_cycle_[dev]));  // 56 bytes: one line or two
}

void Fleet::schedule(Partition& part, double t_s, uint32_t device, Kind kind) {
  part.calendar.push({t_s, device, kind});
}

bool Fleet::charge_sleep(uint32_t dev, double t_s) {
  const city::PopulationProfile& pop = city_.populations[state_[dev].population];
  const double slept = std::max(0.0, t_s - state_[dev].asleep_since_s);
  state_[dev].asleep_since_s = std::max(state_[dev].asleep_since_s, t_s);
  if (pop.ground_mounted && !submerged_from_s_.empty() &&
      t_s >= submerged_from_s_[city_.device_district[dev]]) {
    state_[dev].dead = 1;  // under water (drivers.flood.submerged_depth): drowned for good
    return false;
  }
  if (pop.mains_powered) return true;
  if (state_[dev].dead) return false;  // an empty cell stays dead, sun or not
  // Sleep current plus self-discharge in proportion to the charge left, minus what a solar panel
  // harvested meanwhile (models/device/battery.hpp).
  const double t0 = t_s - slept;
  state_[dev].battery_mah =
      pop.solar.peak_power_w > 0.0
          ? models::device::charge_with_solar_mah(pop.battery, pop.solar, state_[dev].battery_mah,
                                                  pop.machine.profile().sleep_current_ma, t0, t_s)
          : models::device::charge_after_mah_at_rate(state_[dev].battery_mah,
                                                     pop.machine.profile().sleep_current_ma, slept,
                                                     pop.self_discharge_rate_per_s);
  if (state_[dev].battery_mah > 0.0) return true;
  state_[dev].battery_mah = 0.0;
  state_[dev].dead = 1;
  return false;
}

double Fleet::next_traffic_report(uint32_t dev, double t_s, bool reporting, double& value) {
  const Role role = role_[state_[dev].population];
  const size_t district = city_.device_district[dev];
  core::Stream rng(core::stream_key(seed_, kDeviceStream, dev), state_[dev].rng_counter);
  double next = 0.0;
  if (role == Role::Counter) {
    const drivers::CounterRule rule{traffic_.vehicles_per_report, traffic_.counter_heartbeat_s};
    const drivers::RateFunction volume = [&](double t) { return volume_->at(district, t); };
    next = reporting ? drivers::next_counter_report_s(rule, volume, t_s, rng)
                     : drivers::first_counter_report_s(rule, volume, t_s, rng);
    value = speed_ != nullptr ? speed_->at(district, t_s) : volume_->at(district, t_s);
  } else {
    const drivers::ParkingRule rule{traffic_.parking_duration_s, traffic_.parking_heartbeat_s};
    const drivers::RateFunction occupancy = [&](double t) { return parking_->at(district, t); };
    uint8_t& state = parking_state_[dev];
    if (!reporting) {
      state = rng.uniform() < occupancy(t_s) ? 1 : 0;  // the bay at the start of the run
    } else if (state & 2) {
      state ^= 1;  // the change this report announces
    }
    const auto change = drivers::next_parking_change(rule, occupancy, state & 1, t_s, rng);
    state = static_cast<uint8_t>((state & 1) | (change.change ? 2 : 0));
    next = change.t_s;
    value = state & 1;
  }
  state_[dev].rng_counter = rng.counter();
  return next;
}

// A report is due: the firmware wakes, senses and transmits (the first attempt).
void Fleet::report(uint32_t dev, double t_s, Partition& part) {
  const city::PopulationProfile& pop = city_.populations[state_[dev].population];
  if (role_[state_[dev].population] != Role::None) {  // counters and bays: on the traffic
    double value = 0.0;
    state_[dev].next_report_s = next_traffic_report(dev, t_s, true, value);
    state_[dev].attempt = 0;
    transmit(dev, t_s, true, part, value);
    return;
  }
  const double u = uniform(dev);
  const double interval = pop.traffic == scenario::Traffic::Periodic
                              ? pop.interval_s * (1.0 + pop.jitter * (2.0 * u - 1.0))
                              : -pop.interval_s * std::log(1.0 - u);
  state_[dev].next_report_s = t_s + interval;
  state_[dev].attempt = 0;
  transmit(dev, t_s, true, part);
}

// One pass through the duty cycle: Sleep (charged since the device fell asleep) -> Wake -> [Sense] ->
// Transmit -> Receive -> Sleep. A device whose battery empties stops for good; the report it could
// not send is still logged (sent = false).
void Fleet::transmit(uint32_t dev, double t_s, bool sense, Partition& part, double value) {
  const uint16_t population = state_[dev].population;
  const city::PopulationProfile& pop = city_.populations[population];
  const auto& machine = pop.machine;
  using models::device::FirmwareState;
  if (!charge_sleep(dev, t_s)) {
    part.out.push_back({t_s, t_s, dev, 0, state_[dev].tx_power_dbm, state_[dev].sf, state_[dev].attempt,
                        pop.confirmed, false, pop.technology, false, 0.0,
                        std::numeric_limits<float>::quiet_NaN(), population, part.district});
    return;
  }
  if (pop.technology == scenario::Technology::NbIot) {
    // Wake and sense; the modem's random access, data and connected time are charged when the cell
    // has served the message (post_charge).
    const double ready = t_s + machine.wake_to_tx_s();
    charge_sample(dev, pop);
    part.out.push_back({ready, ready, dev, 0, state_[dev].tx_power_dbm, 0, 0, false, true, pop.technology,
                        false, logged_battery_mah(dev), static_cast<float>(value), population,
                        part.district});
    state_[dev].asleep_since_s = ready;
    next_report(dev, ready, part);
    return;
  }
  if (state_[dev].adr_pending) {  // a LinkADRReq received in the last receive windows
    state_[dev].sf = static_cast<uint8_t>(adr_setting_[dev].spreading_factor);
    state_[dev].tx_power_dbm = static_cast<float>(adr_setting_[dev].tx_power_dbm);
    state_[dev].adr_pending = 0;
  }
  const double airtime = pop.airtime_by_sf_s[state_[dev].sf - 7u];
  double t_tx = t_s + (sense ? machine.wake_to_tx_s() : pop.machine.profile().wake_duration_s);
  uint32_t channel = pop.channels_hz.front();
  const double u = uniform(dev);
  if (pop.duty_cycle) {
    // Among the channels whose sub-band is open, one at random; if none is, wait for the first to open.
    const auto take = [&](auto& regulator) {
      const auto choice = models::radio::pick_channel(regulator, pop.channels_hz_f, t_tx, u);
      if (choice.start_s > t_tx) ++part.deferred;
      t_tx = choice.start_s;
      channel = pop.channels_hz[static_cast<size_t>(choice.index)];
      regulator.record(channel, t_tx + airtime, airtime);
    };
    if (compact_duty_cycle_) {
      models::radio::CompactDutyCycle regulator(sub_band_slots_[state_[dev].population],
                                                state_[dev].sub_band_closed_s);
      take(regulator);
    } else {
      take(duty_cycle_[dev]);
    }
  } else {
    channel = pop.channels_hz[std::min(pop.channels_hz.size() - 1,
                                       static_cast<size_t>(u * static_cast<double>(pop.channels_hz.size())))];
  }
  // The frame at its SF and power, then both receive windows at the region's RX1 and RX2 data rates, as
  // if no downlink came: the network server charges one that does (LorawanServer, events::ChargeDrawn).
  const models::device::Uplink uplink = models::device::lorawan_uplink(
      city_.region, state_[dev].sf, pop.bandwidth_hz, airtime, state_[dev].tx_power_dbm);
  const models::device::StatePhase receive = machine.active_phase(FirmwareState::Receive, uplink);
  double charge =
      (sense ? machine.sample_charge_mah() : machine.active_phase(FirmwareState::Wake, uplink).charge_mah()) +
      machine.active_phase(FirmwareState::Transmit, uplink).charge_mah() + receive.charge_mah();
  // Waiting for the duty cycle is spent asleep.
  charge +=
      machine.sleep(t_tx - t_s - (sense ? machine.wake_to_tx_s() : pop.machine.profile().wake_duration_s))
          .charge_mah();
  const double battery =
      pop.mains_powered ? state_[dev].battery_mah : std::max(0.0, state_[dev].battery_mah - charge);
  state_[dev].acked = 0;
  if (!reporters_.empty()) {  // event-driven fleets: a retry repeats the value of its report
    if (sense) state_[dev].last_value = static_cast<float>(value);
    value = state_[dev].last_value;
  }
  part.out.push_back({t_tx, t_tx + airtime, dev, channel, state_[dev].tx_power_dbm, state_[dev].sf,
                      state_[dev].attempt, pop.confirmed, true, pop.technology, false,
                      pop.mains_powered ? kNoBattery : battery, static_cast<float>(value), population,
                      part.district});
  const double rx_end = t_tx + airtime + receive.duration_s;
  state_[dev].asleep_since_s = rx_end;
  state_[dev].battery_mah = battery;
  // A battery that empties here is found empty at the next wake-up, which logs the report it cannot
  // send (fail_reason device_dead) and stops the device. A mains-powered device draws nothing from its
  // battery (often none: capacity 0) and never dies of it.
  if (battery <= 0.0 && !pop.mains_powered) state_[dev].dead = 1;
  if (pop.confirmed) {
    schedule(part, rx_end, dev, Kind::ReceiveDone);
  } else if (!sampled_[state_[dev].population]) {
    next_report(dev, rx_end, part);
  }
}

// Event-driven firmware: wake, sense its quantity in its district, let the event rule decide whether
// to report.
void Fleet::sample(uint32_t dev, double t_s, Partition& part) {
  const city::PopulationProfile& pop = city_.populations[state_[dev].population];
  using models::device::FirmwareState;
  if (!charge_sleep(dev, t_s)) return;
  const double level = sensed_[state_[dev].population]->at(city_.device_district[dev], t_s);
  const models::device::Decision decision = reporters_[dev].on_sample(t_s, level);
  const double next = t_s + pop.sample_interval_s;
  if (decision.transmit && state_[dev].attempt == 0) {
    transmit(dev, t_s, true, part,
             level);  // charges a sample, and sleeps from the end of the receive windows
  } else {
    charge_sample(dev, pop);
    state_[dev].asleep_since_s = t_s + pop.machine.wake_to_tx_s();
  }
  if (!state_[dev].dead && next < end_s_)
    schedule(part, std::max(next, state_[dev].asleep_since_s), dev, Kind::Sample);
}

// The receive windows of a confirmed uplink have closed: done if acknowledged, else try again.
void Fleet::receive_done(uint32_t dev, double t_s, Partition& part) {
  const city::PopulationProfile& pop = city_.populations[state_[dev].population];
  const models::device::Retransmission policy(
      {.max_transmissions = pop.max_transmissions, .lower_data_rate = false});
  const int transmissions = state_[dev].attempt + 1;
  if (!state_[dev].acked && policy.should_retry(transmissions)) {
    ++state_[dev].attempt;
    schedule(part, t_s + policy.next_attempt_delay_s(transmissions, uniform(dev)), dev, Kind::Retry);
    return;
  }
  state_[dev].attempt = 0;
  if (!sampled_[state_[dev].population]) next_report(dev, t_s, part);
}

void Fleet::next_report(uint32_t dev, double not_before_s, Partition& part) {
  const double next = std::max(state_[dev].next_report_s, not_before_s);
  if (next < end_s_) schedule(part, next, dev, Kind::Report);
}

void Fleet::advance(double t_s, core::ThreadPool& pool, std::vector<Transmission>& out) {
  // On this thread alone when the last window handled few events; the results are the same either way.
  uint64_t last_events = 0;
  for (const Partition& part : partitions_) last_events += part.events;
  pool.parallel_for(
      partitions_.size(),
      [&](size_t p) {
        Partition& part = partitions_[p];
        part.out.clear();
        part.events = 0;
        if (!owns_district(part.district)) return;  // another rank's (sim/distributed)
        Event e{};
        bool first = true;
        while (part.calendar.pop_before(t_s, e)) {
          // The devices of the events kPrefetchEvents pops ahead: their state's lines are asked for while
          // these run (most of a window's events are in the calendar's sorted run).
          for (size_t k = first ? 0 : kPrefetchEvents; k <= kPrefetchEvents; ++k)
            if (const Event* ahead = part.calendar.run_ahead(k)) prefetch(ahead->device);
          first = false;
          ++part.events;
          switch (e.kind) {
            case Kind::Report:
              report(e.device, e.t_s, part);
              break;
            case Kind::Retry:
              transmit(e.device, e.t_s, false, part);
              break;
            case Kind::ReceiveDone:
              receive_done(e.device, e.t_s, part);
              break;
            case Kind::Sample:
              sample(e.device, e.t_s, part);
              break;
          }
        }
      },
      last_events, kMinParallelEvents);
  for (const Partition& part : partitions_) out.insert(out.end(), part.out.begin(), part.out.end());
}

void Fleet::post_downlink(uint32_t device, bool ack, std::optional<models::radio::AdrSetting> adr) {
  if (ack) state_[device].acked = 1;
  if (adr) {
    adr_setting_[device] = *adr;
    state_[device].adr_pending = 1;
  }
}

void Fleet::charge_sample(uint32_t dev, const city::PopulationProfile& pop) {
  if (!pop.mains_powered)
    state_[dev].battery_mah = std::max(0.0, state_[dev].battery_mah - pop.machine.sample_charge_mah());
}

void Fleet::post_charge(uint32_t device, double charge_mah) {
  if (city_.populations[state_[device].population].mains_powered) return;
  state_[device].battery_mah = std::max(0.0, state_[device].battery_mah - charge_mah);
  if (state_[device].battery_mah <= 0.0) state_[device].dead = 1;
}

void Fleet::finish(double end_s) {
  for (uint32_t dev = 0; dev < state_.size(); ++dev) {
    if (state_[dev].dead || state_[dev].asleep_since_s >= end_s) continue;
    charge_sleep(dev, end_s);
  }
}

double Fleet::logged_battery_mah(uint32_t device) const {
  return city_.populations[state_[device].population].mains_powered ? kNoBattery : state_[device].battery_mah;
}

double Fleet::energy_used_mah(uint32_t device) const {
  return city_.populations[state_[device].population].battery_mah - state_[device].battery_mah;
}

void Fleet::keep_districts(const std::vector<uint8_t>& owned) { owned_districts_ = owned; }

void Fleet::adopt(uint32_t device, double battery_mah, bool dead) {
  state_[device].battery_mah = battery_mah;
  state_[device].dead = dead ? 1 : 0;
}

size_t Fleet::dead_count() const {
  return static_cast<size_t>(
      std::count_if(state_.begin(), state_.end(), [](const DeviceState& d) { return d.dead == 1; }));
}

uint64_t Fleet::deferred_by_duty_cycle() const {
  uint64_t total = deferred_elsewhere_;
  for (const Partition& p : partitions_) total += p.deferred;
  return total;
}

}  // namespace citytwin::sim::engine
