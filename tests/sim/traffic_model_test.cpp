// The traffic replay: BPR speeds, incidents spreading to neighbouring districts, SUMO's series
// replacing the demand, and the sensors whose report rates follow the traffic (counters, parking bays).
#include "sim/drivers/traffic_model.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "sim/drivers/traffic_reporters.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::drivers {
namespace {

// A 3 x 2 grid of 1 km districts: row y 0..1 km: a b c; row 1..2 km: d e f.
scenario::City grid() {
  scenario::City city;
  const char* names[] = {"a", "b", "c", "d", "e", "f"};
  for (int i = 0; i < 6; ++i) {
    const double x = (i % 3) * 1000.0, y = (i / 3) * 1000.0;
    city.districts.push_back({names[i], x, y, x + 1000.0, y + 1000.0});
  }
  return city;
}

// A demand for every district: points (t s, veh/h), held between them (step).
QuantityField demand(std::vector<double> t_s, std::vector<double> vph) {
  QuantityField::Curve curve;
  curve.kind = scenario::QuantitySource::Kind::Points;
  curve.series = {std::move(t_s), std::move(vph), scenario::Interpolation::Step};
  return QuantityField(*scenario::find_quantity("traffic_volume"), true, {curve});
}

TEST(TrafficModel, NeighboursShareABorderNotACorner) {
  const auto n = district_neighbours(grid());
  EXPECT_EQ(n[0], (std::vector<size_t>{1, 3}));     // a: b east, d north; not e (corner)
  EXPECT_EQ(n[1], (std::vector<size_t>{0, 2, 4}));  // b: a, c, e
  EXPECT_EQ(n[4], (std::vector<size_t>{1, 3, 5}));  // e: b, d, f
  const std::vector<int> hops = hops_from(n, 0);
  EXPECT_EQ(hops, (std::vector<int>{0, 1, 2, 1, 2, 3}));
  // Apart: no border.
  scenario::City apart;
  apart.districts = {{"x", 0, 0, 10, 10}, {"y", 20, 0, 30, 10}};
  EXPECT_TRUE(district_neighbours(apart)[0].empty());
}

TEST(TrafficModel, BprSpeedMatchesTheFunction) {
  // v/c = 1: 50 / 1.15; v/c = 2: 50 / (1 + 0.15 x 16) = 50 / 3.4.
  EXPECT_NEAR(bpr_speed_kmh(50, 1800, 1800, 0.15, 4), 50 / 1.15, 1e-12);
  EXPECT_NEAR(bpr_speed_kmh(50, 3600, 1800, 0.15, 4), 50 / 3.4, 1e-12);
  EXPECT_DOUBLE_EQ(bpr_speed_kmh(50, 0, 1800, 0.15, 4), 50);
  EXPECT_DOUBLE_EQ(bpr_speed_kmh(50, 100, 0, 0.15, 4), 0);
}

TEST(TrafficModel, AnIncidentSpreadsToNeighboursLaterAndWeaker) {
  scenario::TrafficSpec p;
  p.capacity_vph = 1800;
  p.incidents = {{"b", 3600.0, 3600.0, 0.6}};
  p.spread = 0.5;
  p.spread_hops = 1;
  p.delay_per_hop_s = 600.0;
  const QuantityField q = demand({0.0}, {1200.0});
  const TrafficModel m(grid(), p, &q);
  // b: capacity 1800 x 0.4 = 720 from 1 h to 2 h; neighbours a, c, e: 1800 x 0.7 from 1 h 10 min.
  EXPECT_DOUBLE_EQ(m.capacity_vph(1, 3599.0), 1800.0);
  EXPECT_DOUBLE_EQ(m.capacity_vph(1, 3600.0), 720.0);
  EXPECT_DOUBLE_EQ(m.capacity_vph(1, 7199.0), 720.0);
  EXPECT_DOUBLE_EQ(m.capacity_vph(1, 7200.0), 1800.0);
  for (size_t d : {0u, 2u, 4u}) {
    EXPECT_DOUBLE_EQ(m.capacity_vph(d, 3600.0 + 599.0), 1800.0) << d;
    EXPECT_NEAR(m.capacity_vph(d, 3600.0 + 600.0), 1260.0, 1e-9) << d;
  }
  // Two hops away (d, f): untouched.
  EXPECT_DOUBLE_EQ(m.capacity_vph(3, 5000.0), 1800.0);
  EXPECT_DOUBLE_EQ(m.capacity_vph(5, 5000.0), 1800.0);
  // Counters in b see no more than the bottleneck passes; the speed is BPR on demand / capacity.
  EXPECT_DOUBLE_EQ(m.volume_vph(1, 5000.0), 720.0);
  EXPECT_DOUBLE_EQ(m.speed_kmh(1, 5000.0), bpr_speed_kmh(50, 1200, 720, 0.15, 4));
  EXPECT_EQ(m.jumps(1, 86400.0), (std::vector<double>{3600.0, 7200.0}));
  EXPECT_EQ(m.jumps(0, 86400.0), (std::vector<double>{4200.0, 7200.0}));
  EXPECT_TRUE(m.jumps(3, 86400.0).empty());
}

// Through the scenario and the DriverSet: drivers.traffic turns drivers.traffic_volume (the demand) into
// the volume that passes and computes traffic_speed, jumps exact; a rule below 25 km/h dates the onset.
TEST(TrafficModel, TheDriverSetHoldsVolumeAndSpeedWithExactJumps) {
  const char* text = R"(
city:
  districts:
    - {name: a, origin: [0 km, 0 km], size: [1 km, 1 km]}
    - {name: b, origin: [1 km, 0 km], size: [1 km, 1 km]}
    - {name: c, origin: [3 km, 0 km], size: [1 km, 1 km]}
devices:
  - {name: counters, type: traffic_counter, count: 3, districts: [a, b, c]}
gateways:
  - {name: enb, technology: nbiot, position: [1 km, 0.5 km]}
drivers:
  traffic_volume: {value: 1200 veh/h}
  traffic:
    capacity: 1800 veh/h
    incidents: [{district: b, start: 1 h, duration: 1 h, capacity_lost: 0.6}]
    delay_per_hop: 10 min
run: {duration: 3 h}
)";
  const scenario::Scenario sc = scenario::load_scenario_text(text);
  const DriverSet set(sc);
  const QuantityField* volume = set.find("traffic_volume");
  const QuantityField* speed = set.find("traffic_speed");
  ASSERT_NE(volume, nullptr);
  ASSERT_NE(speed, nullptr);
  EXPECT_EQ(speed->unit(), "km/h");
  EXPECT_DOUBLE_EQ(volume->at(1, 3599.0), 1200.0);
  EXPECT_DOUBLE_EQ(volume->before(1, 3600.0), 1200.0);
  EXPECT_DOUBLE_EQ(volume->at(1, 3600.0), 720.0);
  EXPECT_DOUBLE_EQ(volume->at(1, 7200.0), 1200.0);
  EXPECT_NEAR(speed->at(1, 5000.0), bpr_speed_kmh(50, 1200, 720, 0.15, 4), 1e-9);
  EXPECT_NEAR(speed->at(0, 5000.0), bpr_speed_kmh(50, 1200, 1260, 0.15, 4), 1e-9);  // a: one hop
  EXPECT_NEAR(speed->at(2, 5000.0), bpr_speed_kmh(50, 1200, 1800, 0.15, 4), 1e-9);  // c: not a neighbour
  // In b during the incident v/c = 1200/720 = 5/3: 50 / (1 + 0.15 (5/3)^4) = 23.2 km/h.
  EXPECT_NEAR(speed->at(1, 5000.0), 23.2, 0.05);
  // The onset of a congestion below 25 km/h is the incident's start, to the second: a jump in the curve.
  EXPECT_GT(speed->before(1, 3600.0), 25.0);
  EXPECT_LT(speed->at(1, 3600.0), 25.0);
}

// Bad input names its place: an incident in no district, a speed computed and given, no demand, a rule
// with both above and below.
TEST(TrafficModel, BadTrafficKeysAreRefusedWithTheirPlace) {
  const std::string base = R"(city:
  districts:
    - {name: a, origin: [0 km, 0 km], size: [1 km, 1 km]}
devices:
  - {name: counters, type: traffic_counter, count: 1}
gateways:
  - {name: enb, technology: nbiot, position: [0.5 km, 0.5 km]}
)";
  const auto error = [&](const std::string& more) {
    try {
      scenario::load_scenario_text(base + more, "city.yaml");
    } catch (const scenario::ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(
      error("drivers:\n  traffic_volume: {value: 1 veh/h}\n  traffic: {incidents: [{district: b, start: 1 "
            "h}]}\n")
          .find("city.yaml:10:"),
      std::string::npos);
  EXPECT_NE(
      error("drivers:\n  traffic_volume: {value: 1 veh/h}\n  traffic: {incidents: [{district: b, start: 1 "
            "h}]}\n")
          .find("drivers.traffic.incidents[0].district: no district named 'b'"),
      std::string::npos);
  EXPECT_NE(
      error("drivers:\n  traffic_volume: {value: 1 veh/h}\n  traffic_speed: {value: 3 km/h}\n  traffic: {}\n")
          .find("drivers.traffic_speed: give traffic_speed, or drivers.traffic to compute it, not both"),
      std::string::npos);
  EXPECT_NE(error("drivers:\n  traffic: {}\n").find("a traffic replay needs its demand"), std::string::npos);
  EXPECT_NE(error("drivers:\n  traffic_volume: {value: 1 veh/h}\n  traffic: {capacity: 3 km/h}\n")
                .find("drivers.traffic.capacity: "),
            std::string::npos);
  EXPECT_NE(error("platform:\n  alerts: [{name: j, type: traffic_counter, above: 1 m, below: 20 km/h}]\n")
                .find("platform.alerts[0].below: give above or below, not both"),
            std::string::npos);
}

TEST(TrafficModel, MeasuredSeriesReplaceTheDemandInTheirDistrict) {
  const QuantityField q = demand({0.0}, {600.0});
  TrafficModel m(grid(), scenario::TrafficSpec{}, &q);
  MeasuredTraffic measured;
  measured.volume_vph.points = {{0.0, 100.0}, {3600.0, 300.0}};
  measured.speed_kmh.points = {{0.0, 40.0}, {3600.0, 20.0}};
  m.set_measured(2, measured);
  EXPECT_DOUBLE_EQ(m.volume_vph(2, 1800.0), 200.0);
  EXPECT_DOUBLE_EQ(m.speed_kmh(2, 1800.0), 30.0);
  EXPECT_DOUBLE_EQ(m.volume_vph(1, 1800.0), 600.0);  // others keep the demand
}

TEST(TrafficReporters, TimeToIntegralOnAStepGrid) {
  // Rate 2/s until 10 s, then 4/s: an integral of 30 is reached at 10 + 10/4 = 12.5 s.
  const RateFunction rate = [](double t) { return t < 10.0 ? 2.0 : 4.0; };
  EXPECT_DOUBLE_EQ(time_to_integral(rate, 0.0, 30.0, 10.0, 1000.0), 12.5);
  EXPECT_DOUBLE_EQ(time_to_integral(rate, 5.0, 10.0, 10.0, 1000.0), 10.0);
  EXPECT_DOUBLE_EQ(time_to_integral(rate, 0.0, 1e9, 10.0, 100.0), 100.0);  // capped
  const RateFunction zero = [](double) { return 0.0; };
  EXPECT_DOUBLE_EQ(time_to_integral(zero, 0.0, 1.0, 10.0, 55.0), 55.0);
}

// Reports of `counters` counters in [t0, t1) under the model (one stream per counter).
int64_t count_reports(const TrafficModel& m, const CounterRule& rule, int counters, double t0_s, double t1_s,
                      uint64_t seed) {
  int64_t reports = 0;
  const RateFunction volume = [&m](double t) { return m.volume_vph(0, t); };
  for (int c = 0; c < counters; ++c) {
    core::Stream stream(seed, "traffic-counter", static_cast<uint64_t>(c));
    double t = t0_s;
    for (;;) {
      t = next_counter_report_s(rule, volume, t, stream);
      if (t >= t1_s) break;
      ++reports;
    }
  }
  return reports;
}

// The issue's test: a rush hour that doubles traffic_volume doubles the counters' report rate, within
// Poisson noise. With one report per vehicle the reports are a Poisson process, so a count C has
// standard deviation sqrt(C); the ratio R = C_rush / C_base of two independent counts has relative
// standard deviation sqrt(1/C_rush + 1/C_base) (delta method). Tolerance: 3 sigma of R.
TEST(TrafficReporters, DoublingTheVolumeDoublesTheCounterReportRate) {
  scenario::TrafficSpec p;
  p.capacity_vph = 5000;  // the rush hour stays below capacity
  // 600 veh/h, and 2 h at exactly twice that from 08:00.
  const QuantityField q = demand({0.0, 8 * 3600.0, 10 * 3600.0}, {600.0, 1200.0, 600.0});
  const TrafficModel m(grid(), p, &q);
  ASSERT_DOUBLE_EQ(m.volume_vph(0, 9 * 3600.0), 2 * m.volume_vph(0, 3 * 3600.0));
  CounterRule rule;
  rule.vehicles_per_report = 1;
  rule.heartbeat_s = 3600.0;  // never reached at 600 vph
  const int counters = 20;
  const int64_t base = count_reports(m, rule, counters, 2 * 3600.0, 4 * 3600.0, 7);
  const int64_t rush = count_reports(m, rule, counters, 8 * 3600.0, 10 * 3600.0, 7);
  // Expected: 20 counters x 600 vph x 2 h = 24000 base reports, 48000 in the rush.
  EXPECT_NEAR(static_cast<double>(base), 24000.0, 3 * std::sqrt(24000.0));
  EXPECT_NEAR(static_cast<double>(rush), 48000.0, 3 * std::sqrt(48000.0));
  const double ratio = static_cast<double>(rush) / static_cast<double>(base);
  const double sigma = ratio * std::sqrt(1.0 / static_cast<double>(rush) + 1.0 / static_cast<double>(base));
  EXPECT_NEAR(ratio, 2.0, 3 * sigma) << "base " << base << " rush " << rush << " sigma " << sigma;
  EXPECT_LT(3 * sigma, 0.05);  // the test has the power to tell 2 from 1.95
}

// With n vehicles per report the rate is volume / n, and the count is less noisy (Erlang renewals:
// variance about mean / n); the Poisson tolerance still holds.
TEST(TrafficReporters, CountersReportEveryNVehiclesAndAHeartbeat) {
  scenario::TrafficSpec p;
  const QuantityField q = demand({0.0}, {600.0});
  const TrafficModel m(grid(), p, &q);
  CounterRule rule;
  rule.vehicles_per_report = 50;  // 600 vph: one report per 5 min
  const int64_t reports = count_reports(m, rule, 50, 0.0, 86400.0, 3);
  const double expected = 50 * 600.0 * 24 / 50;  // 14400
  EXPECT_NEAR(static_cast<double>(reports), expected, 3 * std::sqrt(expected));
  // An empty road: the heartbeat alone, every heartbeat_s.
  const QuantityField none = demand({0.0}, {0.0});
  const TrafficModel empty(grid(), p, &none);
  rule.heartbeat_s = 900.0;
  EXPECT_EQ(count_reports(empty, rule, 3, 0.0, 86400.0 - 1, 3), 3 * 95);
}

// At the start of a run a counter's count is already running: the vehicles still to come are uniform on
// 1..n, so the mean first report is at (n + 1) / 2 vehicles' time. With n 50 at 600 vph (one vehicle per
// 6 s): 153 s. The variance of the number of vehicles to wait for is E[k] + Var(k) = 25.5 + (50^2 - 1) / 12
// = 233.75 (Gamma(k) given k, plus k's spread): sd 91.7 s per counter, 2.05 s on the mean of 2000.
TEST(TrafficReporters, FirstCounterReportsStartMidCount) {
  const RateFunction volume = [](double) { return 600.0; };
  CounterRule rule;
  rule.vehicles_per_report = 50;
  double sum = 0.0;
  const int counters = 2000;
  for (int c = 0; c < counters; ++c) {
    core::Stream stream(5, "traffic-counter", static_cast<uint64_t>(c));
    sum += first_counter_report_s(rule, volume, 0.0, stream);
  }
  EXPECT_NEAR(sum / counters, 153.0, 3 * 6.0 * std::sqrt(233.75 / counters));
}

// A parking space flips with an occupied share p and 2 p / duration changes per unit time.
TEST(TrafficReporters, ParkingSpacesKeepTheOccupancyAndChangeMoreWhenFuller) {
  for (const double p : {0.3, 0.9}) {
    ParkingRule rule;
    rule.parking_duration_s = 1800.0;
    rule.heartbeat_s = 1e9;
    const RateFunction occupancy = [p](double) { return p; };
    int64_t changes = 0;
    double occupied_s = 0.0;
    const int spaces = 100;
    const double end_s = 86400.0;
    for (int s = 0; s < spaces; ++s) {
      core::Stream stream(11, "parking", static_cast<uint64_t>(s));
      ParkingSpace space(rule, occupancy, 0.0, stream);
      double t = 0.0;
      for (;;) {
        const ParkingSpace::Next next = space.next(t, stream);
        const double until = std::min(next.t_s, end_s);
        if (space.occupied()) occupied_s += until - t;
        if (next.t_s >= end_s) break;
        t = next.t_s;
        if (next.change) {
          space.flip();
          ++changes;
        }
      }
    }
    // Changes come in pairs (a cycle: a stay, then a free spell), cycles form a renewal process whose
    // length has a squared coefficient of variation <= 1 (a sum of two exponentials), so the count's
    // variance is at most 4 x cycles = 2 x changes: 3 sigma = 3 sqrt(2 x expected).
    const double expected = spaces * end_s * 2 * p / rule.parking_duration_s;
    EXPECT_NEAR(static_cast<double>(changes), expected, 3 * std::sqrt(2 * expected)) << p;
    EXPECT_NEAR(occupied_s / (spaces * end_s), p, 0.02) << p;
  }
}

}  // namespace
}  // namespace citytwin::sim::drivers
