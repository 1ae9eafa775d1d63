// The NB-IoT cells: a message in coverage is served by its cell after the random access and its data;
// a device out of coverage is not heard; a cell without power serves nothing (its messages are lost as
// gateway_down) and serves again once power is back. On the bus, a served message is a resolved frame
// with its cell as the one gateway and the module's charge is drawn from the device.
#include "sim/access/nbiot_network.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tests/sim/component_city.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

// Device 0 near the cell, device 1 in a district 100 km away; the cell's district loses power from
// 1 h to 2 h (no backup).
const std::string kCity =
    "city:\n"
    "  districts:\n"
    "    - {name: centre, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
    "    - {name: far, origin: [100 km, 0 m], size: [1 km, 1 km]}\n"
    "devices:\n"
    "  - {name: near, count: 1, districts: [centre], technology: nbiot, interval: 1 h}\n"
    "  - {name: remote, count: 1, districts: [far], technology: nbiot, interval: 1 h}\n"
    "gateways:\n"
    "  - {name: enb, technology: nbiot, position: [500 m, 500 m]}\n"
    "drivers:\n"
    "  power_outages: [{districts: [centre], start: 1 h, end: 2 h}]\n"
    "run:\n"
    "  duration: 3 h\n";

Transmission message(uint32_t device, double t_ready_s) {
  Transmission tx;
  tx.device = device;
  tx.t_start_s = t_ready_s;
  tx.t_end_s = t_ready_s;
  tx.technology = Technology::NbIot;
  return tx;
}

class NbiotNetworkTest : public testing::Test {
 protected:
  NbiotNetworkTest() : c_(kCity), timeline_(c_.scenario, {}), nbiot_(c_.scenario, c_.city, 1, timeline_) {}
  std::vector<NbiotOutcome> step(double t_s) {
    std::vector<NbiotOutcome> out;
    nbiot_.step(t_s, [&](const NbiotOutcome& o) { out.push_back(o); });
    return out;
  }
  test::ComponentCity c_;
  GatewayTimeline timeline_;
  NbiotNetwork nbiot_;
};

TEST_F(NbiotNetworkTest, AMessageInCoverageIsServedByItsCell) {
  nbiot_.submit(0, message(0, 100.0));
  const auto out = step(200.0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].served);
  EXPECT_EQ(out[0].fail_reason, output::FailReason::None);
  EXPECT_EQ(out[0].cell, 0u);
  EXPECT_GT(out[0].t_served_s, 100.0);  // random access and data take time
  EXPECT_GT(out[0].charge_mah, 0.0);
  EXPECT_FALSE(std::isnan(out[0].rssi_dbm));
}

TEST_F(NbiotNetworkTest, ADeviceOutOfCoverageIsNotHeard) {
  nbiot_.submit(0, message(1, 100.0));
  const auto out = step(200.0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].served);
  EXPECT_EQ(out[0].fail_reason, output::FailReason::BelowSensitivity);
  EXPECT_TRUE(std::isnan(out[0].rssi_dbm));
}

TEST_F(NbiotNetworkTest, ACellWithoutPowerServesNothingUntilPowerReturns) {
  nbiot_.submit(0, message(0, 4000.0));  // during the cut
  auto out = step(4100.0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].served);
  EXPECT_EQ(out[0].fail_reason, output::FailReason::GatewayDown);
  nbiot_.submit(1, message(0, 7300.0));  // power is back at 7200 s
  out = step(7400.0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].served);
}

TEST_F(NbiotNetworkTest, ARandomAccessUnderwayWhenThePowerGoesIsLost) {
  nbiot_.submit(0, message(0, 3599.99));  // ready just before the cut: its occasion falls after it
  const auto out = step(3700.0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].served);
  EXPECT_EQ(out[0].fail_reason, output::FailReason::GatewayDown);
}

TEST_F(NbiotNetworkTest, PublishesServedMessagesAsFramesOfItsCell) {
  events::Bus bus;
  std::vector<uint32_t> cells;
  double t_received = 0.0, charge = 0.0;
  bus.subscribe<events::FrameResolved>([&](const events::FrameResolved& f) {
    cells.assign(f.gateways_received.begin(), f.gateways_received.end());
    t_received = f.t_received_s;
    EXPECT_EQ(f.seq, 7u);
    EXPECT_EQ(f.gateways_in_range, 1);
  });
  bus.subscribe<events::ChargeDrawn>([&](const events::ChargeDrawn& e) { charge += e.charge_mah; });
  ThreadPool pool(1);
  AccessNetwork& network = nbiot_;
  EXPECT_TRUE(network.carries(message(0, 1.0)));
  network.submit(7, message(0, 100.0));
  network.step(200.0, pool, bus);
  EXPECT_EQ(cells, std::vector<uint32_t>{0});
  EXPECT_GT(t_received, 100.0);
  EXPECT_GT(charge, 0.0);  // (the cell's copy goes on from the frame: wired_network_test.cpp)
}

// One message's charge, by hand: its procedure's phases at the module's currents (M5311: transmit 167 mA,
// receive and connected 54 mA), each preamble once (the procedure's own "preamble" phase is the one that
// succeeded; none failed here), then the RRC inactivity timer (20 s) connected at 54 mA, then idle (DRX,
// 0.4 mA) for min(interval, T3324) = 60 s. The NPRACH wait is counted from the ready time (idle, 0 s).
TEST_F(NbiotNetworkTest, AMessagesChargeCountsItsOnePreambleOnce) {
  nbiot_.submit(0, message(0, 100.0));
  const auto out = step(200.0);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].served);
  ASSERT_EQ(out[0].preamble_attempts, 1);
  models::radio::UplinkProcedureParams params;
  params.nprach_wait_s = 0.0;
  const models::radio::UplinkProcedure procedure = models::radio::uplink_procedure(
      c_.city.populations[0].payload_bytes, out[0].ce, models::radio::NbiotCellConfig{}, params);
  int preambles = 0;
  for (const models::radio::ProcedurePhase& phase : procedure.phases)
    preambles += std::string(phase.name) == "preamble" ? 1 : 0;
  EXPECT_EQ(preambles, 1);
  using models::radio::PhaseKind;
  const double charge_mas = 167.0 * procedure.time_in_s(PhaseKind::Transmit) +
                            54.0 * procedure.time_in_s(PhaseKind::Receive) +
                            54.0 * procedure.time_in_s(PhaseKind::Connected) + 54.0 * 20.0 + 0.4 * 60.0;
  EXPECT_NEAR(out[0].charge_mah, charge_mas / 3600.0, 1e-12);
}

// The scenario's NPUSCH settings (nbiot.npusch) are the cell's: 100 bytes (800 bits) at CE0 on 3 tones,
// I_TBS 12, 4 repetitions go in TS 36.213 Table 16.5.1.2-2's 1000-bit block of 4 resource units (4 ms
// each on 3 tones, TS 36.211 Table 10.1.2.3-1): 4 x 4 ms x 4 = 64 ms of data, under 256 ms so without an
// uplink gap. With the default (one 15 kHz tone, I_TBS 10, no repetition) the same payload is the 872-bit
// block of 5 resource units of 8 ms: 40 ms.
TEST(NbiotNetworkConfig, TheScenariosNpuschSettingsAreTheCells) {
  const std::string city =
      "city:\n"
      "  districts:\n"
      "    - {name: centre, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
      "devices:\n"
      "  - {name: near, count: 1, districts: [centre], technology: nbiot, interval: 1 h, payload: 100 B}\n"
      "gateways:\n"
      "  - {name: enb, technology: nbiot, position: [500 m, 500 m]}\n"
      "run:\n"
      "  duration: 1 h\n";
  const auto data_s = [](const test::ComponentCity& c) {
    const GatewayTimeline timeline(c.scenario, {});
    NbiotNetwork nbiot(c.scenario, c.city, 1, timeline);
    nbiot.submit(0, message(0, 100.0));
    std::vector<NbiotOutcome> out;
    nbiot.step(200.0, [&](const NbiotOutcome& o) { out.push_back(o); });
    EXPECT_EQ(out.size(), 1u);
    EXPECT_TRUE(!out.empty() && out[0].served && out[0].ce == models::radio::CeLevel::Ce0);
    return out.empty() ? -1.0 : out[0].tx.t_end_s - out[0].tx.t_start_s;
  };
  EXPECT_NEAR(data_s(test::ComponentCity(city)), 0.040, 1e-12);
  EXPECT_NEAR(data_s(test::ComponentCity(
                  city + "nbiot: {npusch: {ce0: {allocation: 3_tones, i_tbs: 12, repetitions: 4}}}\n")),
              0.064, 1e-12);
}

// nbiot_downlink_delay_mean_s: the device-weighted mean of each population's delay with its own uplinks
// (models/radio/nbiot_power.hpp), not the TAU cycle alone (~12 h with T3412 = 24 h, whatever the reports).
TEST(NbiotNetworkKpis, DownlinkDelayCountsEachPopulationsUplinks) {
  const test::ComponentCity c(
      "city:\n"
      "  districts:\n"
      "    - {name: centre, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
      "devices:\n"
      "  - {name: counters, count: 3, districts: [centre], technology: nbiot, interval: 5 min}\n"
      "  - {name: meters, count: 1, districts: [centre], technology: nbiot, interval: 1 h, traffic: "
      "poisson}\n"
      "gateways:\n"
      "  - {name: enb, technology: nbiot, position: [500 m, 500 m]}\n"
      "run:\n"
      "  duration: 1 h\n");
  const GatewayTimeline timeline(c.scenario, {});
  const NbiotNetwork nbiot(c.scenario, c.city, 1, timeline);
  output::KpiList kpis;
  nbiot.add_kpis(kpis);
  double delay = -1.0;
  for (const auto& [name, value] : kpis)
    if (name == "nbiot_downlink_delay_mean_s") delay = value;
  const models::radio::NbiotTimers& t = c.scenario.nbiot.timers;
  using models::radio::UplinkTiming;
  const double counters =
      models::radio::mean_downlink_delay_s(t, 300.0, UplinkTiming::Periodic, t.rrc_inactivity_s);
  const double meters =
      models::radio::mean_downlink_delay_s(t, 3600.0, UplinkTiming::Poisson, t.rrc_inactivity_s);
  EXPECT_NEAR(delay, (3.0 * counters + meters) / 4.0, 1e-9);
  // By hand for the counters (T3324 = 60 s, DRX 1.28 s, 20 s connected): 46 gaps of 1.28 s, then 221.12 s.
  EXPECT_NEAR(counters, (46 * 1.28 * 1.28 + 221.12 * 221.12) / 2.0 / 300.0, 1e-9);
  EXPECT_LT(meters, 3600.0);  // below the mean gap between its uplinks: the active time after each helps
  EXPECT_GT(models::radio::downlink_reachability(t).mean_delay_s, 40000.0);  // the TAU cycle alone
}

}  // namespace
}  // namespace citytwin::sim
