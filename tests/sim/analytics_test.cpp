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

Transmission reading_at(uint32_t device, float value, double taken_s) {
  Transmission tx = reading(device, value);
  tx.t_start_s = taken_s;
  return tx;
}

// Readings held in a gateway's buffer arrive late, after newer ones: a reading taken before the newest one
// applied can only add to a streak the newer readings carry on. Daegu's flood showed the case: gauge
// readings of the crest, buffered through a backhaul outage and delivered hours later when the river had
// fallen, fired a second alert charged to the morning's event.
TEST(Analytics, ALateReadingNeverUndoesNorRestartsWhatNewerReadingsSaid) {
  const test::ComponentCity c(kCity);
  Analytics analytics(c.scenario, c.city);
  analytics.on_delivery(reading_at(0, 4.2f, 11000.0), 11000.1);
  analytics.on_delivery(reading_at(0, 4.3f, 11100.0), 11100.1);
  ASSERT_EQ(analytics.alerts().size(), 1u);
  analytics.on_delivery(reading_at(0, 3.5f, 12000.0), 12000.1);  // the river falls: cleared
  analytics.on_delivery(reading_at(0, 3.4f, 12100.0), 12100.1);
  // The crest's readings, taken at 11,200-11,500 s, delivered at 20,000 s: superseded.
  for (double taken : {11200.0, 11300.0, 11400.0, 11500.0})
    analytics.on_delivery(reading_at(0, 4.8f, taken), 20000.0);
  EXPECT_EQ(analytics.alerts().size(), 1u);
  // Newer readings above raise it again, as before.
  analytics.on_delivery(reading_at(0, 4.1f, 20100.0), 20100.1);
  analytics.on_delivery(reading_at(0, 4.1f, 20200.0), 20200.1);
  ASSERT_EQ(analytics.alerts().size(), 2u);
  EXPECT_DOUBLE_EQ(analytics.alerts()[1].t_alert_s, 20200.1);

  // A late reading on the side the newer ones say counts: two readings taken out of their delivery order
  // (town's gauge: 11,000 s delivered after 11,050 s) make a streak of two.
  analytics.on_delivery(reading_at(1, 4.2f, 11050.0), 11050.5);
  analytics.on_delivery(reading_at(1, 4.4f, 11000.0), 11060.0);
  ASSERT_EQ(analytics.alerts().size(), 3u);
  EXPECT_EQ(analytics.alerts()[2].district, 1u);
  // A late reading below does not clear what newer readings above hold.
  analytics.on_delivery(reading_at(1, 3.0f, 10900.0), 11070.0);
  analytics.on_delivery(reading_at(1, 4.5f, 11080.0), 11080.5);
  EXPECT_EQ(analytics.alerts().size(), 3u);  // still active: not raised again
}

// An alert raised again after it was cleared answers the quantity's next crossing of the threshold, if any:
// readings near the threshold as the river falls back (taken up to a minute before they are sent) clear it
// and raise it again with no new event: a false alarm (its event time NaN), not a latency of hours from the
// morning's crossing.
TEST(Analytics, AnAlertRaisedAgainAnswersTheNextCrossingOrIsAFalseAlarm) {
  // The river: above 4 m from 3 h, back below at 5 h, above again from 6 h (21,600 s + 900 s).
  std::string city = kCity;
  const std::string series = "river_level: [[0 h, 1 m], [4 h, 5 m]]";
  city.replace(city.find(series), series.size(),
               "river_level: [[0 h, 1 m], [4 h, 5 m], [5 h, 3 m], [6 h, 3 m], [7 h, 7 m]]");
  const test::ComponentCity c(city);
  Analytics analytics(c.scenario, c.city);
  for (double t : {11000.0, 11100.0}) analytics.on_delivery(reading_at(0, 4.4f, t), t + 1.0);
  ASSERT_EQ(analytics.alerts().size(), 1u);
  EXPECT_DOUBLE_EQ(analytics.alerts()[0].t_event_s, 10800.0);
  // Cleared at 16,500 s as the river falls past 4 m (at 16,200 s), raised again by two lagging readings.
  analytics.on_delivery(reading_at(0, 3.9f, 16500.0), 16501.0);
  for (double t : {16560.0, 16620.0}) analytics.on_delivery(reading_at(0, 4.05f, t), t + 1.0);
  ASSERT_EQ(analytics.alerts().size(), 2u);
  EXPECT_TRUE(std::isnan(analytics.alerts()[1].t_event_s));  // no crossing since 16,500 s
  // Cleared again; the river's next rise (above 4 m from 22,500 s) raises it with that event time.
  analytics.on_delivery(reading_at(0, 3.0f, 18000.0), 18001.0);
  for (double t : {23000.0, 23100.0}) analytics.on_delivery(reading_at(0, 4.6f, t), t + 1.0);
  ASSERT_EQ(analytics.alerts().size(), 3u);
  EXPECT_DOUBLE_EQ(analytics.alerts()[2].t_event_s, 22500.0);
}

TEST(Analytics, CrossingsAreEveryTimeTheSeriesGoesAbove) {
  scenario::Series s;
  s.points = {{0.0, 5.0}, {100.0, 1.0}, {200.0, 3.0}, {300.0, 3.0}, {400.0, 1.0}, {500.0, 4.0}};
  const auto expect_near = [](const std::vector<double>& got, const std::vector<double>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-9) << i;
  };
  expect_near(crossings_above(s, 2.0), {0.0, 150.0, 400.0 + 100.0 / 3.0});
  expect_near(crossings_above(s, 3.0), {0.0, 400.0 + 200.0 / 3.0});  // 3 is not above 3: 200-300 s is not
  EXPECT_TRUE(crossings_above(s, 5.0).empty());
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
