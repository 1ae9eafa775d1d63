// The event bus and the sequencer: handlers run in subscription order, per event type only; uplinks of
// every radio are numbered in (t_start, device) order across windows, and one that starts at or after
// a window's end waits for the next window.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "sim/engine/sequencer.hpp"
#include "sim/events/bus.hpp"
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

Transmission at(double t_start_s, uint32_t device, Technology technology = Technology::LoRaWAN) {
  Transmission tx;
  tx.t_start_s = t_start_s;
  tx.t_end_s = t_start_s + 0.1;
  tx.device = device;
  tx.technology = technology;
  return tx;
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

// Transmissions that wait many windows (a duty-cycle wait, an NB-IoT module waking up) among ones due at
// once: the sequencer releases the same ones in the same order as sorting everything that waits, every
// window, would (its earlier design). 2,000 windows of up to 40 transmissions, some starting up to 30
// windows later, many at equal times (devices break the ties).
TEST(Sequencer, ReleasesWhatSortingEverythingWaitingEveryWindowWould) {
  std::mt19937_64 rng(7);
  Sequencer sequencer;
  std::vector<Transmission> waiting;  // the reference
  std::vector<std::pair<uint64_t, uint32_t>> got, expected;
  uint32_t next_device = 0;
  for (int window = 1; window <= 2000; ++window) {
    const double t_s = window, previous = window - 1;
    std::vector<Transmission> produced;
    const int n = std::uniform_int_distribution<int>(0, 40)(rng);
    for (int i = 0; i < n; ++i) {
      // Starts within this window, or up to 30 windows later, on a 0.25 s grid half the time (ties).
      const double late =
          std::bernoulli_distribution(0.3)(rng) ? std::uniform_real_distribution<>(0, 30)(rng) : 0;
      double start = previous + late + std::uniform_real_distribution<>(0, 1)(rng);
      if (std::bernoulli_distribution(0.5)(rng)) start = std::floor(start * 4) / 4;
      produced.push_back(at(std::max(start, previous), next_device++ % 997));
    }
    waiting.insert(waiting.end(), produced.begin(), produced.end());
    std::sort(waiting.begin(), waiting.end(), engine::tx_before);
    const auto split = std::partition_point(waiting.begin(), waiting.end(),
                                            [&](const Transmission& tx) { return tx.t_start_s < t_s; });
    for (auto it = waiting.begin(); it != split; ++it) expected.emplace_back(expected.size(), it->device);
    waiting.erase(waiting.begin(), split);
    sequencer.release(produced, t_s,
                      [&](uint64_t seq, const Transmission& tx) { got.emplace_back(seq, tx.device); });
    ASSERT_EQ(got.size(), expected.size()) << "window " << window;
    ASSERT_EQ(sequencer.idle(), waiting.empty()) << "window " << window;
  }
  EXPECT_EQ(got, expected);
  EXPECT_GT(got.size(), 30000u);
}

}  // namespace
}  // namespace citytwin::sim
