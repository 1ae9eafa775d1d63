// One city over ranks (sim/distributed): the districts split into ranks, fleets that step only their
// own districts producing together what one fleet produces, and the window exchange (with an
// in-process stand-in for MPI; the two-process run is tests/python/test_city_over_ranks.py).
#include "sim/distributed/city_split.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "sim/drivers/driver_set.hpp"
#include "tests/sim/component_city.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

using distributed::CitySplit;

const char* kCity =
    "city:\n"
    "  districts:\n"
    "    - {name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
    "    - {name: b, origin: [1 km, 0 m], size: [1 km, 1 km]}\n"
    "    - {name: c, origin: [0 m, 1 km], size: [1 km, 1 km]}\n"
    "    - {name: d, origin: [1 km, 1 km], size: [1 km, 1 km]}\n"
    "devices:\n"
    "  - {name: meters, count: 300, districts: [a, b, c, d], interval: 5 min, confirmed: true}\n"
    "  - {name: big, count: 200, districts: [a], interval: 7 min}\n"
    "gateways:\n"
    "  - {name: gw, position: [1 km, 1 km]}\n"
    "run:\n"
    "  duration: 1 h\n";

// A stand-in for the other ranks: rank `me` of `size`, whose peers send `others` (their share, in
// rank order, me excluded) to every collective.
class FakeRanks final : public core::Ranks {
 public:
  FakeRanks(int me, int size) : me_(me), size_(size) {}
  int rank() const override { return me_; }
  int size() const override { return size_; }
  std::vector<std::byte> all_gather(std::span<const std::byte> mine, std::vector<size_t>& sizes) override {
    std::vector<std::byte> all;
    sizes.clear();
    size_t other = 0;
    for (int r = 0; r < size_; ++r) {
      const std::vector<std::byte>& part =
          r == me_ ? std::vector<std::byte>(mine.begin(), mine.end()) : others.at(other++);
      all.insert(all.end(), part.begin(), part.end());
      sizes.push_back(part.size());
    }
    return all;
  }
  std::vector<std::byte> gather(std::span<const std::byte> mine, std::vector<size_t>& sizes) override {
    return all_gather(mine, sizes);
  }
  [[noreturn]] void abort(int) override { throw std::runtime_error("abort"); }
  std::vector<std::vector<std::byte>> others;

 private:
  int me_, size_;
};

std::vector<Transmission> sorted(std::vector<Transmission> v) {
  std::sort(v.begin(), v.end(), tx_before);
  return v;
}

bool same(const Transmission& a, const Transmission& b) {
  return a.t_start_s == b.t_start_s && a.t_end_s == b.t_end_s && a.device == b.device &&
         a.channel_hz == b.channel_hz && a.spreading_factor == b.spreading_factor && a.attempt == b.attempt &&
         (a.battery_mah_left == b.battery_mah_left ||
          (std::isnan(a.battery_mah_left) && std::isnan(b.battery_mah_left)));
}

TEST(CitySplit, EveryDistrictHasOneOwnerAndTheRanksGetSimilarDeviceCounts) {
  const test::ComponentCity c(kCity);
  // Devices per district: a has 75 + 200, b, c, d 75 each: two ranks get {a} and {b, c, d}.
  FakeRanks r0(0, 2), r1(1, 2);
  const CitySplit s0(c.city, r0), s1(c.city, r1);
  std::vector<size_t> devices(2, 0);
  for (uint16_t d = 0; d < 4; ++d) {
    EXPECT_EQ(s0.owner_of_district(d), s1.owner_of_district(d));
    EXPECT_NE(s0.owned_districts()[d], s1.owned_districts()[d]) << "district " << d;
  }
  for (uint16_t d : c.city.device_district) ++devices[static_cast<size_t>(s0.owner_of_district(d))];
  const auto in_a =
      static_cast<size_t>(std::count(c.city.device_district.begin(), c.city.device_district.end(), 0));
  EXPECT_GT(in_a, 200u);
  EXPECT_EQ(devices[0], in_a);
  EXPECT_EQ(devices[1], 500u - in_a);
  // One rank owns everything.
  FakeRanks alone(0, 1);
  const CitySplit s(c.city, alone);
  EXPECT_EQ(std::count(s.owned_districts().begin(), s.owned_districts().end(), 1), 4);
}

TEST(CitySplit, FleetsKeepingComplementaryDistrictsProduceTheWholeFleetsTransmissions) {
  const test::ComponentCity c(kCity);
  const drivers::DriverSet drivers(c.scenario);
  ThreadPool pool(2);
  Fleet whole(c.city, 7, 3600, 2, drivers), half0(c.city, 7, 3600, 2, drivers),
      half1(c.city, 7, 3600, 2, drivers);
  FakeRanks r0(0, 2), r1(1, 2);
  half0.keep_districts(CitySplit(c.city, r0).owned_districts());
  half1.keep_districts(CitySplit(c.city, r1).owned_districts());
  size_t total = 0;
  for (double t = 10.0; t <= 3600.0; t += 10.0) {
    std::vector<Transmission> a, b, both;
    whole.advance(t, pool, a);
    half0.advance(t, pool, both);
    half1.advance(t, pool, b);
    both.insert(both.end(), b.begin(), b.end());
    a = sorted(a);
    both = sorted(both);
    // No acknowledgement ever comes: confirmed reports are retried, on every fleet alike.
    ASSERT_EQ(a.size(), both.size()) << "window ending " << t;
    for (size_t i = 0; i < a.size(); ++i) ASSERT_TRUE(same(a[i], both[i])) << "window ending " << t;
    total += a.size();
  }
  EXPECT_GT(total, 500u);
  EXPECT_EQ(whole.deferred_by_duty_cycle(), half0.deferred_by_duty_cycle() + half1.deferred_by_duty_cycle());
}

TEST(CitySplit, TheExchangeHandsEveryRankEveryTransmissionAndAnyRanksStop) {
  const test::ComponentCity c(kCity);
  FakeRanks r0(0, 2);
  CitySplit split(c.city, r0);
  // Rank 1's share: a header (2 transmissions, stop) then the transmissions.
  std::vector<Transmission> theirs(2);
  theirs[0].device = 400;
  theirs[0].t_start_s = 3.0;
  theirs[1].device = 401;
  theirs[1].t_start_s = 1.0;
  const uint64_t header[2] = {2, 1};
  std::vector<std::byte> share(sizeof header + sizeof(Transmission) * 2);
  std::memcpy(share.data(), header, sizeof header);
  std::memcpy(share.data() + sizeof header, static_cast<const void*>(theirs.data()),
              sizeof(Transmission) * 2);
  r0.others = {share};
  std::vector<Transmission> produced(1);
  produced[0].device = 3;
  produced[0].t_start_s = 2.0;
  EXPECT_TRUE(split.exchange(produced, false));  // rank 1 asked to stop
  ASSERT_EQ(produced.size(), 3u);
  EXPECT_EQ(produced[0].device, 3u);  // rank order; the sequencer sorts
  EXPECT_EQ(produced[1].device, 400u);
  EXPECT_EQ(produced[2].device, 401u);
  EXPECT_EQ(split.volume().bytes_received, share.size());
  EXPECT_EQ(split.volume().bytes_sent, sizeof header + sizeof(Transmission));
  // A share whose size does not match its header is refused.
  share.pop_back();
  r0.others = {share};
  EXPECT_THROW(split.exchange(produced, false), std::runtime_error);
}

TEST(CitySplit, RankZeroAdoptsTheOtherRanksDevices) {
  const test::ComponentCity c(kCity);
  const drivers::DriverSet drivers(c.scenario);
  ThreadPool pool(1);
  FakeRanks r0(0, 2);
  CitySplit split(c.city, r0);
  Fleet fleet(c.city, 7, 3600, 1, drivers);
  // Rank 1 sends its deferrals (5) and one device: 300 dead with 0 mAh left.
  struct State {
    uint32_t device, dead;
    double battery_mah;
  };
  const uint64_t deferred = 5;
  const State s{300, 1, 0.0};
  std::vector<std::byte> share(sizeof deferred + sizeof s);
  std::memcpy(share.data(), &deferred, sizeof deferred);
  std::memcpy(share.data() + sizeof deferred, &s, sizeof s);
  r0.others = {share};
  ASSERT_FALSE(fleet.dead(300));
  split.gather_fleet(fleet);
  EXPECT_TRUE(fleet.dead(300));
  EXPECT_EQ(fleet.battery_mah(300), 0.0);
  EXPECT_EQ(fleet.deferred_by_duty_cycle(), 5u);
}

}  // namespace
}  // namespace citytwin::sim
