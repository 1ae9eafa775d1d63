// The fleet engine: periodic reports at their interval, confirmed reports sent again until
// acknowledged (at most max_transmissions times), an NB-IoT module's charge posted from outside.
#include "sim/engine/fleet.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "sim/drivers/driver_set.hpp"
#include "tests/sim/component_city.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

std::string city_yaml(const std::string& device) {
  return "city:\n"
         "  districts:\n"
         "    - {name: centre, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
         "devices:\n"
         "  - {name: d, districts: [centre], " +
         device +
         "}\n"
         "gateways:\n"
         "  - {name: gw, position: [500 m, 500 m]}\n"
         "run:\n"
         "  duration: 2 h\n";
}

// Advances the fleet in 1 s windows to end_s; `between` runs after each window (downlinks).
template <class Between>
std::vector<Transmission> run_fleet(Fleet& fleet, ThreadPool& pool, double end_s, Between between) {
  std::vector<Transmission> all, out;
  for (double t = 1.0; t <= end_s; t += 1.0) {
    fleet.advance(t, pool, out);
    for (const Transmission& tx : out) between(tx);
    all.insert(all.end(), out.begin(), out.end());
    out.clear();
  }
  std::sort(all.begin(), all.end(), tx_before);
  return all;
}

TEST(Fleet, PeriodicDevicesReportOncePerIntervalWithinTheJitter) {
  const test::ComponentCity c(city_yaml("count: 20, interval: 10 min, jitter: 0.1"));
  const drivers::DriverSet driver_set(c.scenario);
  Fleet fleet(c.city, 1, 7200, 1, driver_set);
  ThreadPool pool(1);
  const auto txs = run_fleet(fleet, pool, 7200, [](const Transmission&) {});
  std::map<uint32_t, std::vector<Transmission>> by_device;
  for (const Transmission& tx : txs) by_device[tx.device].push_back(tx);
  ASSERT_EQ(by_device.size(), 20u);
  for (const auto& [device, list] : by_device) {
    // The first report falls within the first interval; then one every 10 min +- 10 % (plus the
    // wake-up before each, a few ms, and any wait for the duty cycle, none at this rate).
    EXPECT_LT(list.front().t_start_s, 600.0 + 1.0);
    EXPECT_GE(list.size(), 11u);
    EXPECT_LE(list.size(), 13u);
    for (size_t i = 1; i < list.size(); ++i) {
      const double gap = list[i].t_start_s - list[i - 1].t_start_s;
      EXPECT_GE(gap, 540.0) << "device " << device;
      EXPECT_LE(gap, 661.0) << "device " << device;
    }
    for (const Transmission& tx : list) {
      EXPECT_TRUE(tx.sent);
      EXPECT_EQ(tx.attempt, 0);
      EXPECT_NEAR(tx.t_end_s - tx.t_start_s, c.city.populations[0].airtime_by_sf_s[tx.spreading_factor - 7u],
                  1e-12);
    }
  }
}

TEST(Fleet, AnUnacknowledgedConfirmedReportIsSentMaxTransmissionsTimes) {
  const test::ComponentCity c(city_yaml("count: 1, interval: 1 h, confirmed: true, max_transmissions: 3"));
  const drivers::DriverSet driver_set(c.scenario);
  Fleet fleet(c.city, 1, 3600, 1, driver_set);
  ThreadPool pool(1);
  const auto txs = run_fleet(fleet, pool, 3600, [](const Transmission&) {});
  ASSERT_EQ(txs.size(), 3u);  // one report in the hour, in three transmissions
  for (size_t i = 0; i < txs.size(); ++i) {
    EXPECT_EQ(txs[i].attempt, i);
    EXPECT_TRUE(txs[i].confirmed);
  }
  // Each retry waits for the receive windows to close (RX2: 2 s after the end) and 1-3 s more, or
  // longer when the sub-band's 1 % duty cycle is not yet over (99 times the airtime after the last).
  for (size_t i = 1; i < txs.size(); ++i) {
    const double wait = txs[i].t_start_s - txs[i - 1].t_end_s;
    const double airtime = txs[i - 1].t_end_s - txs[i - 1].t_start_s;
    EXPECT_GT(wait, 2.0 + 1.0);
    EXPECT_LT(wait, std::max(2.0 + 3.0, 99.0 * airtime) + 1.0);
  }
}

TEST(Fleet, AnAcknowledgedReportIsNotSentAgain) {
  const test::ComponentCity c(city_yaml("count: 1, interval: 1 h, confirmed: true, max_transmissions: 3"));
  const drivers::DriverSet driver_set(c.scenario);
  Fleet fleet(c.city, 1, 3600, 1, driver_set);
  ThreadPool pool(1);
  // The network server's ACK, posted in the window where the uplink ended (before RX1 opens).
  const auto txs = run_fleet(
      fleet, pool, 3600, [&](const Transmission& tx) { fleet.post_downlink(tx.device, true, std::nullopt); });
  ASSERT_EQ(txs.size(), 1u);
  EXPECT_EQ(txs[0].attempt, 0);
}

TEST(Fleet, ChargePostedFromOutsideIsDrawnFromTheBattery) {
  const test::ComponentCity c(city_yaml("count: 2, interval: 1 h, technology: nbiot"));
  const drivers::DriverSet driver_set(c.scenario);
  Fleet fleet(c.city, 1, 60, 1, driver_set);
  ThreadPool pool(1);
  fleet.post_charge(0, 1.5);
  std::vector<Transmission> out;
  fleet.advance(1.0, pool, out);
  fleet.finish(1.0);
  // Both slept for the same second; device 0 also paid 1.5 mAh for a message.
  EXPECT_NEAR(fleet.energy_used_mah(0) - fleet.energy_used_mah(1), 1.5, 1e-9);
}

// A mains-powered device (here a type powered from the mains, with no battery) never runs out: it is not
// counted dead, and it keeps reporting to the end of the run.
TEST(Fleet, MainsPoweredDevicesAreNeverDead) {
  const test::ComponentCity c(city_yaml("type: streetlight_controller, count: 5, interval: 10 min"));
  ASSERT_TRUE(c.city.populations[0].mains_powered);
  const drivers::DriverSet driver_set(c.scenario);
  Fleet fleet(c.city, 1, 7200, 1, driver_set);
  ThreadPool pool(1);
  const auto txs = run_fleet(fleet, pool, 7200, [](const Transmission&) {});
  std::map<uint32_t, int> sent;
  for (const Transmission& tx : txs) {
    EXPECT_TRUE(tx.sent) << "device " << tx.device << " at " << tx.t_start_s << " s";
    sent[tx.device] += tx.sent ? 1 : 0;
  }
  ASSERT_EQ(sent.size(), 5u);
  for (const auto& [device, n] : sent) EXPECT_GE(n, 11) << "device " << device;
  EXPECT_EQ(fleet.dead_count(), 0u);
  for (uint32_t d = 0; d < 5; ++d) EXPECT_FALSE(fleet.dead(d)) << "device " << d;
  // Its messages log no battery charge (NaN), not 0 mAh, which would read as an empty battery.
  for (const Transmission& tx : txs) EXPECT_TRUE(std::isnan(tx.battery_mah_left)) << "device " << tx.device;
}

// A battery-powered device beside it logs the charge it has left, which falls with each message.
TEST(Fleet, BatteryPoweredDevicesLogTheChargeTheyHaveLeft) {
  const test::ComponentCity c(city_yaml("type: soil_moisture, count: 3, interval: 10 min"));
  ASSERT_FALSE(c.city.populations[0].mains_powered);
  const drivers::DriverSet driver_set(c.scenario);
  Fleet fleet(c.city, 1, 7200, 1, driver_set);
  ThreadPool pool(1);
  const auto txs = run_fleet(fleet, pool, 7200, [](const Transmission&) {});
  std::map<uint32_t, double> last;
  for (const Transmission& tx : txs) {
    ASSERT_TRUE(std::isfinite(tx.battery_mah_left)) << "device " << tx.device;
    EXPECT_LE(tx.battery_mah_left, c.city.populations[0].battery_mah);
    if (last.count(tx.device) != 0) {
      EXPECT_LT(tx.battery_mah_left, last[tx.device]);
    }
    last[tx.device] = tx.battery_mah_left;
  }
  EXPECT_EQ(last.size(), 3u);
}

}  // namespace
}  // namespace citytwin::sim
