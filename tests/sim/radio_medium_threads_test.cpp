// The radio medium on the pool: windows with many frames split by gateway among the threads on
// any number of threads give every frame the fate it has on one thread; the look-ahead on resolve.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <span>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/access/radio_medium.hpp"
#include "sim/city/link_index.hpp"
#include "tests/sim/radio_medium_support.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

using namespace radio_test;  // NOLINT(google-build-using-namespace): the tests' own helpers
using radio_test::scenario;  // (not the namespace citytwin::sim::scenario)

using Fates = std::vector<std::tuple<uint64_t, uint32_t, std::vector<uint32_t>, int, uint16_t>>;

// `frames` random frames (one a device) over span_s, on 8 channels and every SF, of lengths in
// length_s; each gateway hears each device with probability 1 - no_link, at a power in rssi_dbm.
struct BusyAir {
  CityLayout city;
  std::vector<Transmission> frames;
};
BusyAir busy_air(size_t gateways, size_t frames, double span_s, std::pair<double, double> length_s,
                 std::pair<float, float> rssi_dbm, double no_link, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> start(0.0, span_s), length(length_s.first, length_s.second),
      unit(0.0, 1.0);
  std::uniform_real_distribution<float> rssi(rssi_dbm.first, rssi_dbm.second);
  std::uniform_int_distribution<int> sf(7, 12), channel(0, 7);
  std::vector<std::vector<float>> rssi_by_device(frames, std::vector<float>(gateways));
  BusyAir air;
  for (uint32_t d = 0; d < frames; ++d) {
    for (float& r : rssi_by_device[d]) r = unit(rng) < no_link ? kNone : rssi(rng);
    const double t0 = start(rng);
    air.frames.push_back(tx(d, t0, t0 + length(rng), 868100000 + 200000 * static_cast<uint32_t>(channel(rng)),
                            static_cast<uint8_t>(sf(rng))));
  }
  air.city = layout(rssi_by_device, gateways);
  return air;
}

// Windows of step_s. With downlinks, every frame received by a gateway has that gateway send a 0.2 s
// downlink a second after the frame's end (the network server's RX1), if it is free then.
// lane_busy: every other window steps while a task posted to the pool's lane runs (as the wired network's
// forwarding period does in a run), so that the lane's worker takes no item of those windows' rounds.
Fates busy_city_fates(const CityLayout& city, const std::vector<Transmission>& frames, double span_s,
                      const Scenario& sc, int threads, double step_s = 1.0, bool downlinks = false,
                      bool lane_busy = false) {
  const GatewayTimeline timeline(sc, {});
  RadioMedium medium(sc, city, timeline);
  ThreadPool pool(threads);
  Fates out;
  std::atomic<bool> lane_released{false};
  int window_number = 0;
  for (double t = step_s; t <= span_s + 3.0 * step_s; t += step_s) {
    std::vector<Transmission> window;
    for (const Transmission& f : frames)
      if (f.t_start_s >= t - step_s && f.t_start_s < t) window.push_back(f);
    const bool held = lane_busy && pool.has_lane() && window_number++ % 2 == 1;
    if (held) {
      lane_released = false;
      pool.post([&] {
        while (!lane_released.load()) std::this_thread::yield();
      });
      EXPECT_TRUE(pool.lane_busy());
    }
    medium.step(window, t, pool, [&](const ResolvedFrame& f) {
      out.emplace_back(f.seq, f.tx.device,
                       std::vector<uint32_t>(f.gateways_received.begin(), f.gateways_received.end()),
                       static_cast<int>(f.fail_reason), f.gateways_in_range);
      if (!downlinks || f.gateways_received.empty()) return;
      const uint32_t g = f.gateways_received[f.tx.device % f.gateways_received.size()];
      const double t0 = f.tx.t_end_s + 1.0;
      if (!medium.gateway_busy(g, t0, t0 + 0.2)) medium.block_gateway(g, t0, t0 + 0.2);
    });
    if (held) {
      lane_released = true;
      pool.wait_posted();
    }
  }
  return out;
}

TEST(RadioMedium, ManyFramesAWindowGiveTheSameFatesOnAnyNumberOfThreads) {
  constexpr double kSpan = 6.0;
  constexpr size_t kGateways = 40, kFrames = 6000;  // 1,000 frames a window, ~24 links each
  // (some below SF7's sensitivity)
  const auto [city, frames] = busy_air(kGateways, kFrames, kSpan, {0.02, 0.4}, {-138.0f, -95.0f}, 0.4, 5);
  ASSERT_GT(kFrames / kSpan * 0.6 * kGateways, 1.2 * RadioMedium::kMinParallelLinks);

  struct Mode {
    RadioChannel::InterSf inter_sf;
    RadioChannel::Interference interference;
    RadioChannel::Receptions receptions;
  };
  for (const Mode& mode : {Mode{RadioChannel::InterSf::Orthogonal, RadioChannel::Interference::Pairwise,
                                RadioChannel::Receptions::Exact},
                           Mode{RadioChannel::InterSf::Goursaud, RadioChannel::Interference::Pairwise,
                                RadioChannel::Receptions::Exact},
                           Mode{RadioChannel::InterSf::Croce, RadioChannel::Interference::Cumulative,
                                RadioChannel::Receptions::Exact},
                           Mode{RadioChannel::InterSf::Goursaud, RadioChannel::Interference::Pairwise,
                                RadioChannel::Receptions::Strongest},
                           Mode{RadioChannel::InterSf::Goursaud, RadioChannel::Interference::Pairwise,
                                RadioChannel::Receptions::StrongestOnly}}) {
    Scenario sc = scenario(true, kGateways, 8, mode.inter_sf, mode.interference);
    sc.channel.receptions = mode.receptions;
    sc.channel.strongest_k = 3;
    const Fates one = busy_city_fates(city, frames, kSpan, sc, 1);
    ASSERT_EQ(one.size(), kFrames);
    int received = 0, collided = 0;
    for (const auto& f : one) {
      received += std::get<3>(f) == static_cast<int>(output::FailReason::None) ? 1 : 0;
      collided += std::get<3>(f) == static_cast<int>(output::FailReason::Collision) ? 1 : 0;
    }
    EXPECT_GT(received, 100);  // a busy air: frames received and frames lost, both
    EXPECT_GT(collided, 100);
    EXPECT_EQ(busy_city_fates(city, frames, kSpan, sc, 2), one);
    EXPECT_EQ(busy_city_fates(city, frames, kSpan, sc, 3), one);
    // The lane's worker busy every other window: the worker takes none of those windows' parts (with two
    // threads the caller runs both), the others' parts go one a thread.
    EXPECT_EQ(busy_city_fates(city, frames, kSpan, sc, 2, 1.0, false, true), one);
    EXPECT_EQ(busy_city_fates(city, frames, kSpan, sc, 3, 1.0, false, true), one);
  }
}

// strongest_only with the set-up's K strongest links alone: the radio medium packs each device's links in a
// slot of its own (a cache line at K = 8, kNoGateway past a device heard by fewer than K) and gives every
// frame the fate it has with the same links read from the layout (the StrongestLinks path, taken for a layout
// that does not say it was cut to K), on one thread and two.
TEST(RadioMedium, PackedLinksGiveTheFatesOfTheLayoutsLinks) {
  constexpr double kSpan = 6.0;
  constexpr size_t kGateways = 40, kFrames = 6000;
  constexpr uint32_t kK = 8;
  // ~6 links a device: many under K (places left empty), some over (cut to K below).
  const BusyAir air = busy_air(kGateways, kFrames, kSpan, {0.02, 0.4}, {-138.0f, -95.0f}, 0.85, 11);
  CityLayout cut = air.city;
  cut.link_gateway.clear();
  cut.link_gain_db.clear();
  cut.link_offset.assign(1, 0);
  size_t fewer = 0, more = 0;
  std::vector<uint32_t> keep;
  for (size_t d = 0; d < air.city.device_count(); ++d) {
    const uint64_t begin = air.city.link_offset[d], end = air.city.link_offset[d + 1];
    const std::span<const float> gains(air.city.link_gain_db.data() + begin, end - begin);
    city::strongest_positions(gains, kK, keep);
    for (uint32_t k : keep) {
      cut.link_gateway.push_back(air.city.link_gateway[begin + k]);
      cut.link_gain_db.push_back(air.city.link_gain_db[begin + k]);
    }
    cut.link_offset.push_back(cut.link_gateway.size());
    fewer += end - begin < kK ? 1 : 0;
    more += end - begin > kK ? 1 : 0;
  }
  ASSERT_GT(fewer, 1000u);
  ASSERT_GT(more, 100u);
  CityLayout unmarked = cut;
  cut.links_strongest_k = kK;  // as the strongest_only set-up leaves it

  Scenario sc = scenario(true, kGateways, 8, RadioChannel::InterSf::Goursaud);
  sc.channel.receptions = RadioChannel::Receptions::StrongestOnly;
  sc.channel.strongest_k = kK;
  const GatewayTimeline timeline(sc, {});
  EXPECT_TRUE(RadioMedium(sc, cut, timeline).links_packed());
  EXPECT_FALSE(RadioMedium(sc, unmarked, timeline).links_packed());
  const Fates reference = busy_city_fates(unmarked, air.frames, kSpan, sc, 1);
  ASSERT_EQ(reference.size(), kFrames);
  int received = 0;
  for (const auto& f : reference)
    received += std::get<3>(f) == static_cast<int>(output::FailReason::None) ? 1 : 0;
  EXPECT_GT(received, 1000);
  EXPECT_EQ(busy_city_fates(cut, air.frames, kSpan, sc, 1), reference);
  EXPECT_EQ(busy_city_fates(cut, air.frames, kSpan, sc, 2), reference);
  EXPECT_EQ(busy_city_fates(cut, air.frames, kSpan, sc, 2, 1.0, true, true),
            busy_city_fates(unmarked, air.frames, kSpan, sc, 1, 1.0, true));
}

// The gateways are split among the threads where a sample of the devices' LoRa links, weighed by how often
// their devices send, falls evenly: one part a thread, none empty, as many parts as gateways at most, and
// one part for a layout whose links are not in gateway order. The fates are the same in every case.
TEST(RadioMedium, GatewaysAreSplitAmongTheThreadsByTheirLinks) {
  constexpr double kSpan = 4.0;
  auto [city, frames] = busy_air(40, 2000, kSpan, {0.02, 0.4}, {-130.0f, -95.0f}, 0.5, 7);
  const Scenario sc = scenario(true, 40, 8, RadioChannel::InterSf::Goursaud);
  const Fates one = busy_city_fates(city, frames, kSpan, sc, 1);
  const auto cuts = [&](const CityLayout& layout, int threads) {
    const GatewayTimeline timeline(sc, {});
    RadioMedium medium(sc, layout, timeline);
    ThreadPool pool(threads);
    std::vector<Transmission> none;
    medium.step(none, 1.0, pool, [](const ResolvedFrame&) {});
    return medium.part_cuts();
  };
  // Every device hears gateways 0-9, few hear the others: the first part ends among the busy ten.
  {
    std::vector<std::vector<float>> rssi(500, std::vector<float>(40, kNone));
    for (size_t d = 0; d < rssi.size(); ++d)
      for (size_t g = 0; g < 40; ++g)
        if (g < 10 || d % 40 == g) rssi[d][g] = -100.0f;
    const std::vector<uint32_t> two = cuts(layout(rssi, 40), 2);
    ASSERT_EQ(two.size(), 3u);
    EXPECT_EQ(two.front(), 0u);
    EXPECT_EQ(two.back(), 40u);
    EXPECT_GE(two[1], 4u);
    EXPECT_LE(two[1], 7u);  // 10 x 500 links to gateways 0-9, 500 to the others: half by the fifth or sixth
    // More threads than gateways: a gateway a part.
    EXPECT_EQ(cuts(layout({{-100.0f, -100.0f}}, 2), 3), (std::vector<uint32_t>{0, 1, 2}));
  }
  // The links weigh by how often their devices send, nothing on another radio: 250 devices hear gateways
  // 0-9, 250 others 30-39. Counted by links alone, the cut fell among the first ten.
  {
    std::vector<std::vector<float>> rssi(500, std::vector<float>(40, kNone));
    for (size_t d = 0; d < rssi.size(); ++d)
      for (size_t g = 0; g < 10; ++g) rssi[d][d < 250 ? g : 30 + g] = -100.0f;
    CityLayout mixed = layout(rssi, 40);
    mixed.populations.resize(2);
    for (size_t d = 250; d < 500; ++d) mixed.device_population[d] = 1;
    mixed.populations[0].interval_s = 900.0;
    mixed.populations[1].interval_s = 90.0;  // ten times as often: 5 of the 10 busy ones balance 0-9
    const std::vector<uint32_t> by_rate = cuts(mixed, 2);
    EXPECT_GE(by_rate[1], 33u);
    EXPECT_LE(by_rate[1], 37u);
    mixed.populations[1].interval_s = 900.0;
    mixed.populations[0].technology = scenario::Technology::NbIot;  // the first 250 send no LoRa frame
    const std::vector<uint32_t> lora_only = cuts(mixed, 2);
    EXPECT_GE(lora_only[1], 34u);
    EXPECT_LE(lora_only[1], 36u);
    mixed.populations[1].technology = scenario::Technology::NbIot;  // no LoRa device: as many gateways a part
    EXPECT_EQ(cuts(mixed, 2), (std::vector<uint32_t>{0, 20, 40}));
  }
  for (const int threads : {2, 3, 5}) {
    const std::vector<uint32_t> c = cuts(city, threads);
    ASSERT_EQ(c.size(), static_cast<size_t>(threads) + 1);
    for (size_t i = 0; i + 1 < c.size(); ++i) EXPECT_LT(c[i], c[i + 1]) << threads << " threads";
    EXPECT_EQ(busy_city_fates(city, frames, kSpan, sc, threads), one) << threads << " threads";
  }
  city.links_by_gateway = false;
  EXPECT_EQ(cuts(city, 2), (std::vector<uint32_t>{0, 40}));
  EXPECT_EQ(busy_city_fates(city, frames, kSpan, sc, 2), one);
}

// Two parts beside a lane (RadioMedium::share_with_lane: the other thread also carries the wired network and
// the recorders): the caller's part takes kLaneShare more of the links' weight than half. Three parts or
// more, or no lane, are cut evenly.
TEST(RadioMedium, TheCallersPartTakesMoreBesideALane) {
  // 100 gateways, each heard by 10 of the 1,000 devices: the weight is even along the gateways.
  std::vector<std::vector<float>> rssi(1000, std::vector<float>(100, kNone));
  for (size_t d = 0; d < rssi.size(); ++d) rssi[d][d % 100] = -100.0f;
  const CityLayout city = layout(rssi, 100);
  const Scenario sc = scenario(true, 100, 8, RadioChannel::InterSf::Goursaud);
  const auto cuts = [&](int threads, bool lane) {
    const GatewayTimeline timeline(sc, {});
    RadioMedium medium(sc, city, timeline);
    medium.share_with_lane(lane);
    ThreadPool pool(threads);
    std::vector<Transmission> none;
    medium.step(none, 1.0, pool, [](const ResolvedFrame&) {});
    return medium.part_cuts();
  };
  EXPECT_EQ(cuts(2, false), (std::vector<uint32_t>{0, 50, 100}));
  const auto shifted = static_cast<uint32_t>(100 * (0.5 + RadioMedium::kLaneShare) + 0.5);
  EXPECT_GT(shifted, 50u);
  EXPECT_EQ(cuts(2, true), (std::vector<uint32_t>{0, shifted, 100}));
  EXPECT_EQ(cuts(3, true), cuts(3, false));
}

// While a step resolves frame i, the look-ahead on resolve (RadioMedium::look_ahead_on_resolve: what the
// network server asks for ahead) names the devices of two later frames of the step, the far one twice as
// far as the near one, and RadioMedium::kNoDevice past the last frame.
TEST(RadioMedium, TheLookAheadOnResolveNamesTheDevicesOfTheFramesAhead) {
  constexpr uint32_t kFrames = 40;
  const CityLayout city = layout(std::vector<std::vector<float>>(kFrames, {-100.0f}), 1);
  Medium m(city, true);
  std::pair<uint32_t, uint32_t> ahead{0, 0};
  std::vector<std::pair<uint32_t, uint32_t>> seen;  // per frame resolved: the last look-ahead before it
  m.medium().look_ahead_on_resolve([&](uint32_t far, uint32_t near) { ahead = {far, near}; });
  m.on_resolved = [&](const ResolvedFrame& f) {
    EXPECT_EQ(f.tx.device, seen.size());  // resolved in start order
    seen.push_back(ahead);
  };
  std::vector<Transmission> frames;
  for (uint32_t d = 0; d < kFrames; ++d) frames.push_back(tx(d, 0.02 * d, 0.02 * d + 0.01));
  m.step(frames, 1.0);
  ASSERT_EQ(seen.size(), kFrames);
  const uint32_t step = seen[0].second;  // how far ahead the near frame is
  ASSERT_GT(step, 0u);
  ASSERT_LT(2 * step, kFrames);
  for (uint32_t i = 0; i < kFrames; ++i) {
    const uint32_t near = i + step < kFrames ? i + step : RadioMedium::kNoDevice;
    const uint32_t far = i + 2 * step < kFrames ? i + 2 * step : RadioMedium::kNoDevice;
    EXPECT_EQ(seen[i], std::make_pair(far, near)) << "frame " << i;
  }
}

// A downlink the sink sends marks the frames still on the air at its gateway as lost. In 3 s windows,
// longer than the receive delay, a downlink sent for one frame starts before later frames of the same
// window end, which the same step resolves after it; windows settled on the pool
// (RadioMedium::kMinParallelLinks) give every frame the fate it has on one thread.
TEST(RadioMedium, DownlinksSentWhileALongWindowResolvesGiveTheSameFatesOnAnyNumberOfThreads) {
  constexpr double kSpan = 12.0;
  constexpr size_t kGateways = 24, kFrames = 3000;
  const auto [city, frames] = busy_air(kGateways, kFrames, kSpan, {0.05, 0.6}, {-125.0f, -90.0f}, 0.5, 11);
  const Scenario sc = scenario(true, kGateways, 8, RadioChannel::InterSf::Goursaud);
  const Fates one = busy_city_fates(city, frames, kSpan, sc, 1, 3.0, true);
  ASSERT_EQ(one.size(), kFrames);
  // Each window holds ~750 frames of ~12 receptions: settled on the pool.
  ASSERT_GT(kFrames / kSpan * 3.0 * 0.5 * kGateways / 2, 2.0 * RadioMedium::kMinParallelLinks);
  int received = 0, transmitting = 0;
  for (const auto& f : one) {
    received += std::get<3>(f) == static_cast<int>(output::FailReason::None) ? 1 : 0;
    transmitting += std::get<3>(f) == static_cast<int>(output::FailReason::GatewayTransmitting) ? 1 : 0;
  }
  EXPECT_GT(received, 300);
  EXPECT_GT(transmitting, 30);  // lost to downlinks at the gateway that heard them strongest
  EXPECT_EQ(busy_city_fates(city, frames, kSpan, sc, 2, 3.0, true), one);
  EXPECT_EQ(busy_city_fates(city, frames, kSpan, sc, 3, 3.0, true), one);
  // In 1 s windows, no longer than the receive delay, the due frames are judged in the round by the
  // threads that settled them: no downlink sent while they are resolved can reach one (block_gateway
  // throws if it marks a judged frame). The fates differ from the 3 s windows' (a downlink that starts
  // within a long window is known only after the frames that start after it took their demodulation paths)
  // but not with the number of threads.
  const Fates short_windows = busy_city_fates(city, frames, kSpan, sc, 1, 1.0, true);
  ASSERT_EQ(short_windows.size(), kFrames);
  EXPECT_GT(std::count_if(short_windows.begin(), short_windows.end(),
                          [](const auto& f) {
                            return std::get<3>(f) ==
                                   static_cast<int>(output::FailReason::GatewayTransmitting);
                          }),
            30);
  EXPECT_EQ(busy_city_fates(city, frames, kSpan, sc, 2, 1.0, true), short_windows);
  EXPECT_EQ(busy_city_fates(city, frames, kSpan, sc, 3, 1.0, true, true), short_windows);
}

}  // namespace
}  // namespace citytwin::sim
