// The event bus and the sequencer: handlers run in subscription order, per event type only; uplinks of
// every radio are numbered in (t_start, device) order across windows, and one that starts at or after
// a window's end waits for the next window.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "sim/engine/sequencer.hpp"
#include "sim/events/bus.hpp"
#include "sim/events/event_log.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

TEST(EventBus, HandlersRunInSubscriptionOrderForTheirTypeOnly) {
  events::Bus bus;
  std::vector<std::string> calls;
  bus.subscribe<events::CopyDropped>(
      [&](const events::CopyDropped& e) { calls.push_back("a" + std::to_string(e.seq)); });
  bus.subscribe<events::CopyDropped>(
      [&](const events::CopyDropped& e) { calls.push_back("b" + std::to_string(e.seq)); });
  bus.subscribe<events::ChargeDrawn>([&](const events::ChargeDrawn&) { calls.push_back("charge"); });
  EXPECT_FALSE(bus.has_subscribers<events::AlertRaised>());
  bus.publish(events::CopyDropped{3, output::FailReason::BufferFull, -1});
  bus.publish(events::AlertRaised{});  // nobody listens: nothing happens
  EXPECT_EQ(calls, (std::vector<std::string>{"a3", "b3"}));
}

// The log replays what it was given, in the same order: the frames with their gateways and powers (copied:
// the spans they came with may be reused), and the streams between them.
TEST(EventLog, ReplaysEveryEventInTheOrderAdded) {
  const std::vector<uint32_t> gateways_a = {7, 3, 9};
  const std::vector<float> rssi_a = {-100.f, -110.f, -120.f};
  const std::vector<uint32_t> gateways_b = {4};
  const std::vector<float> rssi_b = {-90.f};
  events::FrameResolved a;
  a.seq = 10;
  a.t_received_s = 1.5;
  a.gateways_received = gateways_a;
  a.rssi_received_dbm = rssi_a;
  events::FrameResolved b;
  b.seq = 11;
  b.t_received_s = 1.75;
  b.gateways_received = gateways_b;
  b.rssi_received_dbm = rssi_b;
  std::vector<std::string> given;
  // What the log is given, and what a subscriber must see again.
  std::vector<std::function<void(events::EventLog&)>> adds;
  // A frame is added with spans into a buffer that is overwritten right after (as the access networks reuse
  // theirs the next window): the log must keep what they showed.
  std::vector<uint32_t> reused_gateways;
  std::vector<float> reused_rssi;
  const auto frame = [&](const events::FrameResolved& f) {
    adds.push_back([f, &reused_gateways, &reused_rssi](events::EventLog& log) {
      reused_gateways.assign(f.gateways_received.begin(), f.gateways_received.end());
      reused_rssi.assign(f.rssi_received_dbm.begin(), f.rssi_received_dbm.end());
      events::FrameResolved shown = f;
      shown.gateways_received = reused_gateways;
      shown.rssi_received_dbm = reused_rssi;
      log.add(shown);
      std::fill(reused_gateways.begin(), reused_gateways.end(), 999u);
      std::fill(reused_rssi.begin(), reused_rssi.end(), 0.0f);
    });
    std::string text = "frame " + std::to_string(f.seq) + ":";
    for (size_t i = 0; i < f.gateways_received.size(); ++i)
      text += " " + std::to_string(f.gateways_received[i]) + "@" + std::to_string(f.rssi_received_dbm[i]);
    given.push_back(text);
  };
  const auto stream = [&](uint32_t g) {
    adds.push_back([=](events::EventLog& log) {
      events::StreamStarted started;
      started.gateway = g;
      log.add(started);
    });
    given.push_back("stream " + std::to_string(g));
  };
  frame(a);
  stream(2);
  frame(b);
  frame(a);
  stream(5);
  stream(6);
  frame(b);
  events::Bus bus;
  std::vector<std::string> seen;
  bus.subscribe<events::FrameResolved>([&](const events::FrameResolved& f) {
    std::string text = "frame " + std::to_string(f.seq) + ":";
    for (size_t i = 0; i < f.gateways_received.size(); ++i)
      text += " " + std::to_string(f.gateways_received[i]) + "@" + std::to_string(f.rssi_received_dbm[i]);
    seen.push_back(text);
  });
  bus.subscribe<events::StreamStarted>(
      [&](const events::StreamStarted& st) { seen.push_back("stream " + std::to_string(st.gateway)); });
  events::EventLog log;
  for (int round = 0; round < 2; ++round) {  // the storage is kept and reused after a replay
    for (const auto& add : adds) add(log);
    EXPECT_FALSE(log.empty());
    seen.clear();
    log.replay(bus);
    EXPECT_EQ(seen, given) << "round " << round;
    EXPECT_TRUE(log.empty());
  }
}

Transmission at(double t_start_s, uint32_t device, Technology technology = Technology::LoRaWAN) {
  Transmission tx;
  tx.t_start_s = t_start_s;
  tx.t_end_s = t_start_s + 0.1;
  tx.device = device;
  tx.technology = technology;
  return tx;
}

// The reference the sequencer is tested against: sorts everything waiting (with what was just produced)
// and takes what starts before t_s, numbered after `expected`'s last.
void release_by_sorting(std::vector<Transmission>& waiting, double t_s,
                        std::vector<std::pair<uint64_t, uint32_t>>& expected) {
  std::sort(waiting.begin(), waiting.end(), engine::tx_before);
  const auto split = std::partition_point(waiting.begin(), waiting.end(),
                                          [&](const Transmission& tx) { return tx.t_start_s < t_s; });
  for (auto it = waiting.begin(); it != split; ++it) expected.emplace_back(expected.size(), it->device);
  waiting.erase(waiting.begin(), split);
}

TEST(Sequencer, NumbersEveryRadioInStartThenDeviceOrder) {
  Sequencer sequencer;
  std::vector<std::pair<uint64_t, uint32_t>> out;  // (seq, device)
  const auto take = [&](uint64_t seq, const Transmission& tx) { out.emplace_back(seq, tx.device); };
  std::vector<Transmission> produced = {at(0.5, 4), at(0.2, 9, Technology::NbIot), at(0.5, 1), at(1.2, 0)};
  sequencer.release(produced, 1.0, take);
  EXPECT_TRUE(produced.empty());
  EXPECT_EQ(out, (std::vector<std::pair<uint64_t, uint32_t>>{{0, 9}, {1, 1}, {2, 4}}));
  EXPECT_FALSE(sequencer.idle());  // device 0 starts after the window
  produced = {at(1.1, 5)};
  sequencer.release(produced, 2.0, take);
  EXPECT_EQ(out.back(), (std::pair<uint64_t, uint32_t>{4, 0}));
  EXPECT_EQ(out[3], (std::pair<uint64_t, uint32_t>{3, 5}));
  EXPECT_EQ(sequencer.numbered(), 5u);
  EXPECT_TRUE(sequencer.idle());
}

// Windows of one second, each producing between min and max transmissions: a share `late` of them starting
// up to late_s later, a share `tied` on a grid of 1 / grid_per_s seconds (ties in time, devices breaking
// them).
struct RandomWindows {
  uint64_t seed;
  int windows, min, max;
  double late, late_s, tied, grid_per_s;
  uint32_t devices;
};

// Releases random windows through a Sequencer and through the reference, asserting the same numbering and
// the same idleness after every window; the transmissions released.
size_t expect_reference_order(const RandomWindows& w) {
  std::mt19937_64 rng(w.seed);
  Sequencer sequencer;
  std::vector<Transmission> waiting;  // the reference
  std::vector<std::pair<uint64_t, uint32_t>> got, expected;
  uint32_t next_device = 0;
  for (int window = 1; window <= w.windows; ++window) {
    const double t_s = window, previous = window - 1;
    std::vector<Transmission> produced;
    const int n = std::uniform_int_distribution<int>(w.min, w.max)(rng);
    for (int i = 0; i < n; ++i) {
      const double late =
          std::bernoulli_distribution(w.late)(rng) ? std::uniform_real_distribution<>(0, w.late_s)(rng) : 0;
      double start = previous + late + std::uniform_real_distribution<>(0, 1)(rng);
      if (std::bernoulli_distribution(w.tied)(rng)) start = std::floor(start * w.grid_per_s) / w.grid_per_s;
      produced.push_back(at(std::max(start, previous), next_device++ % w.devices));
    }
    waiting.insert(waiting.end(), produced.begin(), produced.end());
    release_by_sorting(waiting, t_s, expected);
    sequencer.release(produced, t_s,
                      [&](uint64_t seq, const Transmission& tx) { got.emplace_back(seq, tx.device); });
    EXPECT_EQ(got, expected) << "window " << window;
    EXPECT_EQ(sequencer.idle(), waiting.empty()) << "window " << window;
    if (::testing::Test::HasFailure()) break;
  }
  return got.size();
}

// Transmissions that wait many windows (a duty-cycle wait, an NB-IoT module waking up) among ones due at
// once: the sequencer releases the same ones in the same order as sorting everything that waits, every
// window, would (its earlier design). 2,000 windows of up to 40 transmissions, some starting up to 30
// windows later, many at equal times (devices break the ties).
TEST(Sequencer, ReleasesWhatSortingEverythingWaitingEveryWindowWould) {
  EXPECT_GT(expect_reference_order({7, 2000, 0, 40, 0.3, 30.0, 0.5, 4.0, 997}), 30000u);
}

// Windows of hundreds of transmissions, half of them starting up to 2 s later (~100 to a bucket of
// Sequencer::kBucketS): the window's and the buckets' sorts by time buckets (core::sort_by_time) release
// them in the reference's order.
TEST(Sequencer, ReleasesInOrderWindowsAndBucketsOfHundreds) {
  EXPECT_GT(expect_reference_order({17, 200, 300, 1500, 0.5, 2.0, 0.3, 64.0, 100003}), 100000u);
}

// The same against the reference with what the buckets must get right: windows that do not end on a
// bucket's start (t_s's own bucket released in part), waits beyond the ring (Sequencer::kRing buckets
// ahead) and stretches with nothing waiting, then t_s = infinity releasing the rest, however far.
TEST(Sequencer, ReleasesInOrderOverUnevenWindowsWaitsBeyondItsRingAndAtTheEnd) {
  std::mt19937_64 rng(11);
  Sequencer sequencer;
  const double ring_s = Sequencer::kBucketS * static_cast<double>(Sequencer::kRing);
  std::vector<Transmission> waiting;
  std::vector<std::pair<uint64_t, uint32_t>> got, expected;
  const auto reference = [&](double t_s) { release_by_sorting(waiting, t_s, expected); };
  uint32_t next_device = 0;
  double t_s = 0.0;
  size_t far = 0;
  for (int window = 1; window <= 3000; ++window) {
    const double previous = t_s;
    t_s += std::uniform_real_distribution<>(0.01, 0.7)(rng);
    if (window % 500 == 0) t_s += 3.0 * ring_s;  // a long stretch between two windows
    std::vector<Transmission> produced;
    const int n = window % 700 < 600 ? std::uniform_int_distribution<int>(0, 12)(rng) : 0;
    for (int i = 0; i < n; ++i) {
      const double u = std::uniform_real_distribution<>(0, 1)(rng);
      double late = 0.0;
      if (u < 0.05) {
        late = std::uniform_real_distribution<>(1.0, 2.5)(rng) * ring_s, ++far;
      } else if (u < 0.4) {
        late = std::uniform_real_distribution<>(0, 20)(rng);
      }
      double start = previous + late + std::uniform_real_distribution<>(0, t_s - previous)(rng);
      if (std::bernoulli_distribution(0.5)(rng)) start = std::floor(start * 8) / 8;  // ties, bucket starts
      produced.push_back(at(std::max(start, previous), next_device++ % 997));
    }
    waiting.insert(waiting.end(), produced.begin(), produced.end());
    reference(t_s);
    sequencer.release(produced, t_s,
                      [&](uint64_t seq, const Transmission& tx) { got.emplace_back(seq, tx.device); });
    ASSERT_EQ(got, expected) << "window " << window << " ending at " << t_s << " s";
    ASSERT_EQ(sequencer.idle(), waiting.empty()) << "window " << window;
  }
  // What still waits, with one far beyond anything the ring reaches, at the end of the run.
  std::vector<Transmission> last = {at(t_s + 1e7, 3), at(t_s + 0.5, 4)};
  waiting.insert(waiting.end(), last.begin(), last.end());
  reference(std::numeric_limits<double>::infinity());
  sequencer.release(last, std::numeric_limits<double>::infinity(),
                    [&](uint64_t seq, const Transmission& tx) { got.emplace_back(seq, tx.device); });
  EXPECT_EQ(got, expected);
  EXPECT_TRUE(sequencer.idle());
  EXPECT_GT(far, 200u);
  EXPECT_GT(got.size(), 10000u);
}

}  // namespace
}  // namespace citytwin::sim
