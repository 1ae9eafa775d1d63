// Forwarding periods carried without a SimGrid actor (sim/network/wired_network.cpp, send_batches):
// with nothing of an earlier period in SimGrid and no batch that SimGrid must time, a period is carried
// at its instant by the caller and the platform's stages are timed as SimGrid times executions alone on
// their cores. Each test checks the copies' delivery times and the stages' speeds against the queue's
// arithmetic (forward delay, route latency, 250 B at the link's rate, the network server's service
// time), so the inline path and SimGrid's actors (one core, or CITYTWIN_WIRED_INLINE=0) are held to the
// same numbers. tests/sim/determinism_test.cpp compares whole runs both ways, bit for bit. SimGrid
// allows one engine per process: ctest runs each test in its own process.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sim/app/run.hpp"
#include "sim/core/stop.hpp"
#include "sim/drivers/gateway_timeline.hpp"
#include "sim/network/wired_network.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim_test_support.hpp"

namespace citytwin::sim {
namespace {

constexpr uint64_t kPeriods = 6;

// Two fibre gateways; the platform's stages cost enough that their time shows.
std::string fibre_city(const std::string& platform) {
  return "city:\n  districts:\n    - {name: centre, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
         "devices:\n  - {name: d, count: 1, districts: [centre]}\n"
         "gateways:\n"
         "  - {name: a, position: [200 m, 500 m], backhaul: {fibre_length: 2 km}}\n"
         "  - {name: b, position: [800 m, 500 m], backhaul: {fibre_length: 40 km}}\n"
         "platform: {ns_cost: 2 Mf, broker_cost: 1 Mf, analytics_cost: 3 Mf" +
         platform + "}\nrun:\n  duration: 1 h\n";
}

struct Outcome {
  std::vector<double> rx_s, delivered_s;  // per copy (NaN: not delivered)
  std::vector<uint32_t> gateway;
  std::vector<double> broker_speed, analytics_speed;  // per ingested frame
  uint64_t inline_periods = 0, actor_periods = 0;
  uint64_t in_order_periods = 0;  // of inline_periods: carried in the order the copies came
  uint64_t batches_sent = 0, copies_forwarded = 0;
  uint64_t batches_simgrid = 0;  // batches SimGrid timed (the others analytically)
};

// How the run ends: the last period sent at its instant, then the drain (a caller that forwards at the
// end); the last period sent by the drain, as app::run ends a run; or the last period sent, then one more
// copy per gateway received at the end and drained at that instant.
enum class End { PeriodThenDrain, PeriodWithDrain, DrainAfterPeriod };

// kPeriods forwarding periods; in period p gateway g forwards 1 + (g + p) % 3 copies, spread over the
// period, each a frame of its own (every copy is a first copy: delivered), never two at once. The two
// gateways' copies are forwarded in turn (a, b, a, b, a), as a city's come: the network groups them into
// one batch per gateway and period itself.
Outcome run_periods(const scenario::Scenario& sc, const std::vector<scenario::Failure>& failures = {},
                    End end = End::PeriodThenDrain) {
  const drivers::GatewayTimeline timeline(sc, failures);
  Outcome out;
  network::WiredNetwork wired(
      sc, timeline,
      [&out](uint64_t seq, double t_s, int) {
        out.delivered_s[seq] = t_s;
        return network::WiredNetwork::Delivery::Delivered;
      },
      [](uint64_t, output::FailReason, int) {},
      [&out](uint64_t, double, double broker, double analytics) {
        out.broker_speed.push_back(broker);
        out.analytics_speed.push_back(analytics);
      });
  const double batch = sc.run.forward_batch_s;
  uint64_t seq = 0;
  for (uint64_t p = 0; p < kPeriods; ++p) {
    const double start = static_cast<double>(p) * batch;
    for (int c = 0; c < 3; ++c) {
      for (uint32_t g = 0; g < 2; ++g) {
        const int copies = 1 + static_cast<int>((g + p) % 3);
        if (c >= copies) continue;
        const double t = start + batch * (c + 0.25) / copies + 0.37 * g;  // 50 ms apart at least
        out.rx_s.push_back(t);
        out.gateway.push_back(g);
        out.delivered_s.push_back(std::nan(""));
        wired.forward(g, seq++, t);
      }
    }
    if (p + 1 < kPeriods || end != End::PeriodWithDrain) wired.advance(start + batch);
  }
  const double last = static_cast<double>(kPeriods) * batch;
  if (end == End::DrainAfterPeriod) {
    for (uint32_t g = 0; g < 2; ++g) {
      out.rx_s.push_back(last - 1e-3 * (g + 1));
      out.gateway.push_back(g);
      out.delivered_s.push_back(std::nan(""));
      wired.forward(g, seq++, out.rx_s.back());
    }
  }
  wired.drain(last);
  out.batches_sent = wired.batches_sent();
  out.copies_forwarded = wired.copies_forwarded();
  out.batches_simgrid = wired.batches_simgrid();
  out.inline_periods = wired.periods_inline();
  out.actor_periods = wired.periods_in_actors();
  out.in_order_periods = wired.periods_in_order();
  // The route latencies, for the expectations below (the network is gone after this function).
  out.rx_s.push_back(wired.route_latency_s(0));
  out.rx_s.push_back(wired.route_latency_s(1));
  return out;
}

// Every copy: received + forward delay + route latency + 250 B at the fibre's rate, then the network
// server's service (its queue is empty: the copies are seconds apart). The stages ran each on a core
// of their own: the speed of one.
void expect_queue_arithmetic(const scenario::Scenario& sc, Outcome& out, bool stages_alone) {
  const double latency[2] = {out.rx_s[out.rx_s.size() - 2], out.rx_s.back()};
  out.rx_s.resize(out.rx_s.size() - 2);
  ASSERT_EQ(out.delivered_s.size(), out.rx_s.size());
  const double speed = sc.platform.server_speed_flops;
  const double service_s = sc.platform.ns_cost_flops / speed;
  for (size_t i = 0; i < out.rx_s.size(); ++i) {
    const scenario::Gateway& gw = sc.gateways[out.gateway[i]];
    const double expected = out.rx_s[i] + gw.forward_delay_s + latency[out.gateway[i]] +
                            sc.platform.forward_message_bytes / (gw.fibre_bandwidth_bps / 8.0) + service_s;
    EXPECT_NEAR(out.delivered_s[i], expected, 1e-9) << "copy " << i;
  }
  ASSERT_EQ(out.broker_speed.size(), out.rx_s.size());
  for (size_t i = 0; i < out.broker_speed.size(); ++i) {
    if (stages_alone) {
      EXPECT_NEAR(out.broker_speed[i], speed, 1e-9 * speed);
      EXPECT_NEAR(out.analytics_speed[i], speed, 1e-9 * speed);
    } else {
      // One core: the broker (1 Mf a frame) shares it with the analytics (3 Mf) while it runs, at half
      // the speed; the analytics get half, then all of it: 3 Mf in (2 + 2) Mf / speed.
      EXPECT_NEAR(out.broker_speed[i], speed / 2.0, 1e-9 * speed);
      EXPECT_NEAR(out.analytics_speed[i], speed * 3.0 / 4.0, 1e-9 * speed);
    }
  }
}

// The kPeriods periods of a fibre city with `platform`'s settings: how many were carried inline (the
// others in actors), and the copies and the stages against the queue's arithmetic. Without failures every
// inline period is carried in the order the copies came, unless CITYTWIN_WIRED_IN_ORDER=0.
void expect_periods(const std::string& platform, uint64_t inline_periods, bool stages_alone,
                    bool in_order = true) {
  const scenario::Scenario sc = scenario::load_scenario_text(fibre_city(platform), "<test>");
  Outcome out = run_periods(sc);
  EXPECT_EQ(out.inline_periods, inline_periods);
  EXPECT_EQ(out.in_order_periods, in_order ? inline_periods : 0);
  EXPECT_EQ(out.actor_periods, kPeriods - inline_periods);
  EXPECT_EQ(out.batches_sent, 2 * kPeriods);  // both gateways forward in every period
  EXPECT_EQ(out.copies_forwarded, out.delivered_s.size());
  expect_queue_arithmetic(sc, out, stages_alone);
}

TEST(WiredInline, AQuietFibreCityIsCarriedWithoutActors) {
  ASSERT_EQ(unsetenv("CITYTWIN_WIRED_INLINE"), 0);
  expect_periods("", kPeriods, true);
}

// The copies grouped by gateway first, as a period with failures is carried: the same numbers.
TEST(WiredInline, TheSameNumbersWithTheCopiesGroupedByGateway) {
  ASSERT_EQ(unsetenv("CITYTWIN_WIRED_INLINE"), 0);
  ASSERT_EQ(setenv("CITYTWIN_WIRED_IN_ORDER", "0", 1), 0);
  expect_periods("", kPeriods, true, false);
  ASSERT_EQ(unsetenv("CITYTWIN_WIRED_IN_ORDER"), 0);
}

TEST(WiredInline, TheSameNumbersFromActorsWhenTurnedOff) {
  ASSERT_EQ(setenv("CITYTWIN_WIRED_INLINE", "0", 1), 0);
  expect_periods("", 0, true);
  ASSERT_EQ(unsetenv("CITYTWIN_WIRED_INLINE"), 0);
}

// One core cannot run the broker and the analytics each alone: SimGrid shares it.
TEST(WiredInline, OneCoreKeepsThePeriodsInActors) {
  ASSERT_EQ(unsetenv("CITYTWIN_WIRED_INLINE"), 0);
  expect_periods(", server_cores: 1", 0, false);
}

// A run that ends on a period boundary (app::run) sends its last period with the drain: one batch a
// gateway, timed without SimGrid like the periods before it, to the same numbers.
TEST(WiredInline, TheLastPeriodSentByTheDrainIsTimedWithoutSimGrid) {
  ASSERT_EQ(unsetenv("CITYTWIN_WIRED_INLINE"), 0);
  std::string text = fibre_city("");
  text.replace(text.find("duration: 1 h"), 13, "duration: 1 min");  // the drain at the run's end
  const scenario::Scenario sc = scenario::load_scenario_text(text, "<test>");
  ASSERT_EQ(sc.run.forward_batch_s * kPeriods, sc.run.duration_s);
  Outcome out = run_periods(sc, {}, End::PeriodWithDrain);
  EXPECT_EQ(out.batches_simgrid, 0u);
  EXPECT_EQ(out.inline_periods, kPeriods);
  EXPECT_EQ(out.batches_sent, 2 * kPeriods);
  expect_queue_arithmetic(sc, out, true);
}

// A drain at the instant of the period before it (a caller that sends a period, then drains at its
// instant; app::run does not, ended or stopped): each gateway's two batches share its fibre, which only
// SimGrid times, so the drain's batches go to SimGrid; every copy arrives.
TEST(WiredInline, ADrainAtTheInstantOfThePeriodBeforeItGoesToSimGrid) {
  ASSERT_EQ(unsetenv("CITYTWIN_WIRED_INLINE"), 0);
  const scenario::Scenario sc = scenario::load_scenario_text(fibre_city(""), "<test>");
  Outcome out = run_periods(sc, {}, End::DrainAfterPeriod);
  EXPECT_EQ(out.batches_simgrid, 2u);  // the drain's two batches
  EXPECT_EQ(out.batches_sent, 2 * kPeriods + 2);
  EXPECT_EQ(out.actor_periods, 1u);
  out.rx_s.resize(out.rx_s.size() - 2);
  for (size_t i = 0; i < out.delivered_s.size(); ++i) EXPECT_FALSE(std::isnan(out.delivered_s[i])) << i;
  const size_t drained = out.delivered_s.size() - 2;
  for (size_t i = drained; i < out.delivered_s.size(); ++i) EXPECT_GT(out.delivered_s[i], out.rx_s[i]) << i;
}

// A cut of gateway a's fibre 5 us after the third period is sent, while its batch is on the wire
// (10 us of latency, then 750 B at 1 Gbps), until 26 s: that period goes to SimGrid (the link turned
// off under the batch), the others are carried inline, the copies received during the cut are held
// until it ends; every copy arrives.
TEST(WiredInline, APeriodThatAFailureTouchesGoesToSimGrid) {
  ASSERT_EQ(unsetenv("CITYTWIN_WIRED_INLINE"), 0);
  const scenario::Scenario sc = scenario::load_scenario_text(fibre_city(""), "<test>");
  const double batch = sc.run.forward_batch_s;
  const std::vector<std::string> route = scenario::route_link_names(sc, sc.gateways[0]);
  ASSERT_FALSE(route.empty());
  Outcome out = run_periods(sc, {{route[0], 2.0 * batch + 5e-6, 2.6 * batch, 0.0, 0.0}});
  EXPECT_EQ(out.actor_periods, 1u);
  EXPECT_EQ(out.inline_periods, kPeriods - 1);
  EXPECT_EQ(out.in_order_periods, 0u);  // a run a failure touches: its copies grouped by gateway
  EXPECT_EQ(out.inline_periods + out.actor_periods, kPeriods);
  out.rx_s.resize(out.rx_s.size() - 2);
  for (size_t i = 0; i < out.delivered_s.size(); ++i) EXPECT_FALSE(std::isnan(out.delivered_s[i])) << i;
}

// What `body` writes to stderr (the wired network's CITYTWIN_WIRED_STATS line).
template <class Body>
std::string stderr_of(Body&& body) {
  std::fflush(stderr);
  const int saved = dup(2);
  FILE* capture = std::tmpfile();
  dup2(fileno(capture), 2);
  body();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::string text;
  std::rewind(capture);
  for (int c = std::fgetc(capture); c != EOF; c = std::fgetc(capture)) text += static_cast<char>(c);
  std::fclose(capture);
  return text;
}

// A run stopped at a period boundary sends that window's period with the drain, as a run that ends
// does (sim/app/run.cpp): one period at the stop's instant, timed without SimGrid. Before, the period
// went out at its instant and the drain's copies of the frames still on the air (2,000 devices at SF7
// every 10 s: ~10 on the air at any time) went to SimGrid beside it.
TEST(WiredInline, ARunStoppedOnAPeriodBoundaryEndsWithOnePeriod) {
  ASSERT_EQ(unsetenv("CITYTWIN_WIRED_INLINE"), 0);
  ASSERT_EQ(setenv("CITYTWIN_WIRED_STATS", "1", 1), 0);
  const scenario::Scenario sc = scenario::load_scenario_text(
      "city:\n  districts:\n    - {name: centre, origin: [0 m, 0 m], size: [2 km, 2 km]}\n"
      "devices:\n  - {name: d, count: 2000, districts: [centre], interval: 10 s, radio: {sf: 7}}\n"
      "gateways:\n"
      "  - {name: a, position: [500 m, 1 km], backhaul: {fibre_length: 2 km}}\n"
      "  - {name: b, position: [1500 m, 1 km], backhaul: {fibre_length: 5 km}}\n"
      "run: {duration: 1 h, seed: 4}\n",
      "<test>");
  ASSERT_EQ(sc.run.forward_batch_s, 10.0);
  test::TempDir dir;
  app::RunOptions options;
  options.output_path = dir.file("stopped.h5");
  options.progress = false;
  options.threads = 1;
  double stopped_at = -1.0;
  options.on_progress = [&stopped_at](double t_s, double, uint64_t) {
    if (stopped_at < 0.0 && t_s >= 120.0) {
      stopped_at = t_s;
      core::request_stop();
    }
  };
  app::RunSummary summary;
  const std::string stats = stderr_of([&] { summary = app::run(sc, options); });
  ASSERT_EQ(unsetenv("CITYTWIN_WIRED_STATS"), 0);
  EXPECT_FALSE(summary.complete);
  EXPECT_EQ(stopped_at, 120.0);  // a period's instant
  EXPECT_NE(stats.find("12 forwarding periods carried inline"), std::string::npos) << stats;
  EXPECT_NE(stats.find(", 0 in SimGrid actors"), std::string::npos) << stats;
  EXPECT_NE(stats.find("by SimGrid 0\n"), std::string::npos) << stats;
}

}  // namespace
}  // namespace citytwin::sim
