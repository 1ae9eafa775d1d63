// The fleet engine: every device's duty-cycle state machine, advanced in windows. Devices are not
// SimGrid actors (DESIGN.md section 3): their state lives in contiguous arrays, and each partition
// (a district, split into chunks so that there is work for every thread) keeps its own calendar of
// events. Inside a window the partitions advance in parallel; a device's events depend only on its
// own state, its own random stream, and the downlinks posted to it before the window began, so the
// results do not depend on the thread count.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "models/device/event_rule.hpp"
#include "models/radio/adr.hpp"
#include "models/radio/duty_cycle.hpp"
#include "sim/city/city_layout.hpp"
#include "sim/core/thread_pool.hpp"
#include "sim/drivers/driver_set.hpp"
#include "sim/engine/calendar.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::engine {

struct Transmission {
  double t_start_s = 0.0;
  double t_end_s = 0.0;
  uint32_t device = 0;
  uint32_t channel_hz = 0;
  float tx_power_dbm = 14.0f;
  uint8_t spreading_factor = 7;
  uint8_t attempt = 0;  // 0 for the first transmission of a report
  bool confirmed = false;
  bool sent = true;  // false: the report was due but the battery was empty (no frame on air)
  scenario::Technology technology =
      scenario::Technology::LoRaWAN;  // NB-IoT: t_start_s is when the module is ready to send
  // A frame beyond the device's own schedule (a compromised device's, attacks.compromised): a transmission,
  // not a report due.
  bool extra = false;
  double battery_mah_left = 0.0;  // NaN for a mains-powered device (Fleet::kNoBattery)
  float value = std::numeric_limits<float>::quiet_NaN();  // the sensed value it reports (its quantity's unit)
  // The device's population and district (city::CityLayout::device_population, device_district), carried
  // with the frame by the fleet so that the radio, the message log and the platform need not read the
  // city's per-device arrays again (a cache miss each at 1 M devices). kLookUp (a transmission built by
  // hand, in a test): population_of / district_of look them up.
  static constexpr uint16_t kLookUp = 0xFFFF;
  uint16_t population = kLookUp;
  uint16_t district = kLookUp;
};

inline uint16_t population_of(const city::CityLayout& city, const Transmission& tx) {
  return tx.population != Transmission::kLookUp ? tx.population : city.device_population[tx.device];
}
inline uint16_t district_of(const city::CityLayout& city, const Transmission& tx) {
  return tx.district != Transmission::kLookUp ? tx.district : city.device_district[tx.device];
}

// Orders transmissions by start time, then device id: the order of /messages.
inline bool tx_before(const Transmission& a, const Transmission& b) {
  return a.t_start_s < b.t_start_s || (a.t_start_s == b.t_start_s && a.device < b.device);
}

class Fleet {
 public:
  // A window's events run on the thread pool only when the last window had at least this many (~0.3 us
  // each; a pool round ~0.3-0.6 us with its workers spinning, bench/pool_round.cpp): fewer run on this
  // thread.
  static constexpr uint64_t kMinParallelEvents = 32;
  // How many events ahead a partition's pops ask for the device state they will read.
  static constexpr size_t kPrefetchEvents = 4;
  // A partition's devices at most: its calendar (16 B an event, about one a device) then stays in a core's
  // L2 cache (bench/RESULTS.md).
  static constexpr size_t kMaxPartitionDevices = 8192;
  // No report starts at or after end_s (the run's duration); retransmissions of earlier reports may.
  // drivers: the quantities event-driven populations sample (each the one it senses, in its district),
  // and the flood that kills ground-mounted devices once submerged.
  Fleet(const city::CityLayout& city, uint64_t seed, double end_s, int threads,
        const drivers::DriverSet& drivers);

  // Processes every event before t_s and appends the resulting transmissions to out (any order).
  void advance(double t_s, core::ThreadPool& pool, std::vector<Transmission>& out);

  // A downlink from the network server reached the device in its receive windows: an acknowledgement
  // of its last confirmed uplink, and/or a new ADR setting applied from its next transmission.
  // Called between windows (never while advance() runs).
  void post_downlink(uint32_t device, bool ack, std::optional<models::radio::AdrSetting> adr);
  // Charge the radio drew outside the fleet (an NB-IoT message: random access, data, connected mode).
  void post_charge(uint32_t device, double charge_mah);

  // Charges each living device's sleep up to end_s (the end of the run, or where it was stopped).
  // Call once, after the last advance.
  void finish(double end_s);

  double battery_mah(uint32_t device) const { return state_[device].battery_mah; }
  // The charge a message logs: NaN for a mains-powered device (it draws nothing from a battery, often
  // of capacity 0, so 0 mAh would read as an empty one).
  static constexpr double kNoBattery = std::numeric_limits<double>::quiet_NaN();
  double logged_battery_mah(uint32_t device) const;
  double energy_used_mah(uint32_t device) const;
  bool dead(uint32_t device) const { return state_[device].dead != 0; }
  size_t dead_count() const;
  size_t partition_count() const { return partitions_.size(); }
  uint8_t spreading_factor(uint32_t device) const { return state_[device].sf; }
  float tx_power_dbm(uint32_t device) const { return state_[device].tx_power_dbm; }
  uint64_t deferred_by_duty_cycle() const;

  // One city over ranks (sim/distributed): advance() steps only the devices of the districts marked
  // in owned (by district id); the others are stepped by their rank. Their state here is not kept
  // up to date until adopt() hands over the owner's: the battery left and whether the device is dead,
  // and the reports its partitions deferred for the duty cycle.
  void keep_districts(const std::vector<uint8_t>& owned);
  bool owns_district(uint16_t district) const {
    return owned_districts_.empty() || owned_districts_[district] != 0;
  }
  void adopt(uint32_t device, double battery_mah, bool dead);
  void adopt_deferred(uint64_t deferred) { deferred_elsewhere_ += deferred; }

 private:
  enum class Kind : uint8_t { Report, Retry, ReceiveDone, Sample };
  struct Event {
    double t_s;
    uint32_t device;
    Kind kind;
  };
  struct alignas(64) Partition {  // written by one thread at a time: a cache line or more of its own
    Calendar<Event> calendar;     // in (t_s, device, kind) order
    std::vector<Transmission> out;
    uint64_t deferred = 0;
    uint64_t events = 0;  // handled in the last window
    uint16_t district = 0;
  };

  void schedule(Partition& part, double t_s, uint32_t device, Kind kind);
  // Asks for the cache lines of the device's state that its next event reads and writes, while the event
  // before it runs: at 1 M devices each is a miss of its own (the calendar's next device is a random one).
  void prefetch(uint32_t device) const;
  void report(uint32_t device, double t_s, Partition& part);
  void transmit(uint32_t device, double t_s, bool sense, Partition& part,
                double value = std::numeric_limits<double>::quiet_NaN());
  void receive_done(uint32_t device, double t_s, Partition& part);
  void sample(uint32_t device, double t_s, Partition& part);
  void next_report(uint32_t device, double not_before_s, Partition& part);
  double uniform(uint32_t device);
  // The next report of a traffic-driven device after t_s (and its reading now); updates its state.
  double next_traffic_report(uint32_t device, double t_s, bool reporting, double& value);
  // Charges waking, sensing and processing one sample (not for mains-powered devices).
  void charge_sample(uint32_t device, const city::PopulationProfile& pop);
  // Charges the sleep since the device last fell asleep; false if the battery is empty.
  bool charge_sleep(uint32_t device, double t_s);

  const city::CityLayout& city_;
  std::vector<const drivers::QuantityField*> sensed_;  // per population: what its event rule samples
  std::vector<double> submerged_from_s_;               // per district: ground-mounted devices die then
  uint64_t seed_;
  double end_s_;
  std::vector<Partition> partitions_;
  std::vector<uint8_t> owned_districts_;  // empty: every district (sim/distributed)
  uint64_t deferred_elsewhere_ = 0;       // adopted from the other ranks
  // Per-device state: what an event reads and writes, on one cache line a device (the calendar's next
  // device is a random one: at 1 M devices, thirteen arrays of one field each were a cache miss apiece).
  struct alignas(64) DeviceState {
    double battery_mah = 0.0;
    double asleep_since_s = 0.0;
    double next_report_s = 0.0;  // when the next periodic report is due
    uint64_t rng_counter = 0;
    float tx_power_dbm = 0.0f;
    float last_value = std::numeric_limits<float>::quiet_NaN();  // event-driven fleets: what retries repeat
    uint16_t population = 0;                                     // city.device_population
    uint8_t dead = 0;
    uint8_t sf = 0;
    uint8_t attempt = 0;  // of the report in progress
    uint8_t acked = 0;    // set by post_downlink, read at the end of the receive windows
    uint8_t adr_pending = 0;
    // The duty cycle's sub-bands (models::radio::CompactDutyCycle, the population's sub_band_slots_): when
    // each closes, on this line rather than a regulator's 56 bytes on a line or two of their own.
    double sub_band_closed_s[models::radio::kCompactSubBands] = {};
  };
  static_assert(sizeof(DeviceState) == 64, "a device's state on one cache line");
  std::vector<DeviceState> state_;
  std::vector<models::radio::AdrSetting> adr_setting_;
  // The duty cycle: per population, its channels' sub-bands' places in DeviceState; a full regulator per
  // device (duty_cycle_) only when a population's channels use more sub-bands than it has places.
  std::vector<models::radio::SubBandSlots> sub_band_slots_;
  bool compact_duty_cycle_ = true;
  std::vector<models::radio::DutyCycleRegulator> duty_cycle_;
  std::vector<models::device::EventReporter> reporters_;  // per device, when any population is event-driven
  // Under drivers.traffic (sim/drivers/traffic_reporters.hpp): per population, its role (counters sense
  // traffic_volume, parking bays parking_occupancy), and whether it samples an event rule instead;
  // per device, a bay's state (bit 0 occupied, bit 1 a change is due at the next report).
  using Role = scenario::TrafficRole;
  std::vector<Role> role_;
  std::vector<uint8_t> sampled_;
  const drivers::QuantityField* volume_ = nullptr;
  const drivers::QuantityField* speed_ = nullptr;
  const drivers::QuantityField* parking_ = nullptr;
  scenario::TrafficSpec traffic_;
  std::vector<uint8_t> parking_state_;
};

}  // namespace citytwin::sim::engine
