// The event bus and the sequencer: handlers run in subscription order, per event type only; uplinks of
// every radio are numbered in (t_start, device) order across windows, and one that starts at or after
// a window's end waits for the next window.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace citytwin::sim
