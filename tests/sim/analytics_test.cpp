// The platform's alert rules: an alert is raised once, when `consecutive` readings of a district are
// above the threshold, with its latency from the physical event (the river first above the threshold);
// it is raised again only after a reading below has cleared it. On the bus (PlatformStages), the alert
// is published once the reading has passed the broker, and the AlertLog records it.
#include "sim/platform/analytics.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "sim/platform/platform_stages.hpp"
#include "sim/record/alert_log.hpp"
#include "tests/sim/component_city.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

// The river rises from 1 m at 0 h to 5 m at 4 h: above 4 m from 3 h (10800 s).
const std::string kCity =
    "city:\n"
    "  districts:\n"
    "    - {name: bank, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
    "    - {name: town, origin: [0 m, 1 km], size: [1 km, 1 km]}\n"
    "devices:\n"
    "  - {name: gauges, type: river_level, count: 1, districts: [bank]}\n"
    "  - {name: town_gauges, type: river_level, count: 1, districts: [town]}\n"
    "  - {name: parking, type: parking_occupancy, count: 1, districts: [bank]}\n"
    "gateways:\n"
    "  - {name: gw, position: [500 m, 500 m]}\n"
    "platform:\n"
    "  alerts:\n"
    "    - {name: flood, type: river_level, above: 4 m, consecutive: 2}\n"
    "drivers:\n"
    "  river_level: [[0 h, 1 m], [4 h, 5 m]]\n"
    "run:\n"
    "  duration: 6 h\n";

Transmission reading(uint32_t device, float value) {
  Transmission tx;
  tx.device = device;
  tx.value = value;
  return tx;
}

TEST(Analytics, RaisesOneAlertAfterConsecutiveReadingsAboveWithItsLatency) {
  const test::ComponentCity c(kCity);
  Analytics analytics(c.scenario, c.city);
  analytics.on_delivery(reading(0, 4.2f), 11000.0);
  EXPECT_TRUE(analytics.alerts().empty());  // one reading is not enough
  analytics.on_delivery(reading(0, 4.3f), 11100.0);
  ASSERT_EQ(analytics.alerts().size(), 1u);
  const Alert& a = analytics.alerts()[0];
  EXPECT_EQ(a.district, 0u);
  EXPECT_DOUBLE_EQ(a.t_event_s, 10800.0);
  EXPECT_DOUBLE_EQ(a.t_alert_s, 11100.0);
  analytics.on_delivery(reading(0, 4.4f), 11200.0);
  EXPECT_EQ(analytics.alerts().size(), 1u);          // still active: not raised again
  analytics.on_delivery(reading(0, 3.9f), 11300.0);  // clears
  analytics.on_delivery(reading(0, 4.1f), 11400.0);
  analytics.on_delivery(reading(0, 4.1f), 11500.0);
  EXPECT_EQ(analytics.alerts().size(), 2u);
}

TEST(Analytics, CountsPerDistrictAndIgnoresOtherTypes) {
  const test::ComponentCity c(kCity);
  Analytics analytics(c.scenario, c.city);
  analytics.on_delivery(reading(0, 4.2f), 11000.0);  // bank
  analytics.on_delivery(reading(1, 4.2f), 11050.0);  // town: its own streak
  analytics.on_delivery(reading(2, 9.0f), 11070.0);  // a parking sensor: no rule for its type
  analytics.on_delivery(reading(2, 9.0f), 11080.0);
  EXPECT_TRUE(analytics.alerts().empty());
  analytics.on_delivery(reading(1, 4.5f), 11090.0);
  ASSERT_EQ(analytics.alerts().size(), 1u);
  EXPECT_EQ(analytics.alerts()[0].district, 1u);
}

TEST(Analytics, FirstTimeAboveInterpolatesTheSeries) {
  scenario::Series s;
  s.points = {{0.0, 1.0}, {100.0, 3.0}};
  EXPECT_DOUBLE_EQ(first_time_above(s, 2.0), 50.0);
  EXPECT_TRUE(std::isnan(first_time_above(s, 3.5)));
}

TEST(PlatformStages, PublishesAnAlertOnceTheReadingIsThroughTheBroker) {
  const test::ComponentCity c(kCity);
  events::Bus bus;
  record::AlertLog log(c.scenario, bus);
  PlatformStages stages(c.scenario, c.city, bus);
  const std::array<uint32_t, 1> gw = {0};
  for (uint64_t seq = 0; seq < 2; ++seq) {
    events::FrameResolved f;
    f.seq = seq;
    f.tx = reading(0, 4.5f);
    f.gateways_received = gw;
    bus.publish(f);
    bus.publish(events::MessageIngested{seq, 11000.0 + static_cast<double>(seq), 1e9, 1e9});
  }
  ASSERT_EQ(log.alerts().size(), 1u);
  EXPECT_GT(log.alerts()[0].t_alert_s, 11001.0);  // the broker and the analytics took their time
  EXPECT_DOUBLE_EQ(log.alerts()[0].t_event_s, 10800.0);
  const output::KpiTable t = log.table();
  ASSERT_EQ(t.keys.size(), 1u);
  EXPECT_EQ(t.keys[0], "flood@bank");
  EXPECT_EQ(stages.pipeline().stored(), 2u);
}

}  // namespace
}  // namespace citytwin::sim
