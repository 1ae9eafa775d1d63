// The message log: rows reach the trace in seq order once settled, whatever order frames are resolved
// and delivered in; the first delivered copy delivers a frame and later ones are duplicates; a frame
// whose every copy is lost behind its gateways is lost with the reason of its last copy.
#include "sim/record/message_log.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "output/trace_writer.hpp"
#include "sim_test_support.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

// Four devices of one population in one district (the log only needs ids).
CityLayout four_devices() {
  CityLayout city;
  city.populations.emplace_back();
  for (int d = 0; d < 4; ++d) {
    city.device_population.push_back(0);
    city.device_district.push_back(0);
  }
  return city;
}

const std::array<uint32_t, 2> kTwoGateways = {0, 1};
const std::array<float, 2> kRssi = {-100.0f, -105.0f};

events::FrameResolved frame(uint64_t seq, uint32_t device, double t_s, size_t gateways) {
  events::FrameResolved f;
  f.seq = seq;
  f.tx.device = device;
  f.tx.t_start_s = t_s;
  f.tx.t_end_s = t_s + 0.1;
  f.gateways_received = std::span<const uint32_t>(kTwoGateways.data(), gateways);
  f.rssi_received_dbm = std::span<const float>(kRssi.data(), gateways);
  f.gateways_in_range = static_cast<uint16_t>(gateways);
  f.fail_reason = gateways > 0 ? output::FailReason::None : output::FailReason::BelowSensitivity;
  return f;
}

class MessageLogTest : public testing::Test {
 protected:
  MessageLogTest() : writer_(dir_.file("t.h5"), output::RunMeta{}), log_(city_, 1) {}
  test::TempDir dir_;
  CityLayout city_ = four_devices();
  output::TraceWriter writer_;
  MessageLog log_;
};

TEST_F(MessageLogTest, RowsWaitForTheFramesBeforeThem) {
  log_.record(frame(1, 1, 2.0, 0), 0.0f);  // lost at once, but seq 0 is not known yet
  log_.flush(writer_);
  EXPECT_EQ(writer_.messages_written(), 0u);
  log_.record(frame(0, 0, 1.0, 2), 0.0f);  // received: waits for the network server
  log_.flush(writer_);
  EXPECT_EQ(writer_.messages_written(), 0u);
  log_.deliver(0, 1.5);
  log_.flush(writer_);
  EXPECT_EQ(writer_.messages_written(), 2u);
  EXPECT_EQ(log_.sent(), 2u);
  EXPECT_EQ(log_.delivered(), 1u);
  EXPECT_EQ(log_.fail_reasons()[static_cast<size_t>(output::FailReason::BelowSensitivity)], 1u);
  ASSERT_EQ(log_.by_population()[0].latencies_s.count(), 1u);
  EXPECT_NEAR(log_.by_population()[0].latencies_s.percentile(1.0), 0.5, 0.5 * kLatencyRelativeError);
}

TEST_F(MessageLogTest, TheFirstCopyDeliversAndLaterCopiesAreDuplicates) {
  log_.record(frame(0, 0, 1.0, 2), 0.0f);
  log_.deliver(0, 1.5);
  log_.deliver(0, 1.7);  // the other gateway's copy
  log_.flush(writer_);
  EXPECT_EQ(writer_.messages_written(), 1u);
  log_.deliver(0, 9.0);  // a copy held in a buffer, after the row was written
  log_.flush(writer_);
  EXPECT_EQ(writer_.messages_written(), 1u);
  EXPECT_EQ(log_.delivered(), 1u);
  ASSERT_EQ(log_.by_population()[0].latencies_s.count(), 1u);
  // the first copy's time
  EXPECT_NEAR(log_.by_population()[0].latencies_s.percentile(1.0), 0.5, 0.5 * kLatencyRelativeError);
}

TEST_F(MessageLogTest, ADeliveryMayComeBeforeTheRadioOutcome) {
  log_.deliver(0, 1.5);
  log_.record(frame(0, 0, 1.0, 1), 0.0f);
  log_.flush(writer_);
  EXPECT_EQ(writer_.messages_written(), 1u);
  EXPECT_EQ(log_.delivered(), 1u);
}

TEST_F(MessageLogTest, AFrameIsLostWhenEveryCopyIsLostWithTheReasonOfTheLast) {
  log_.record(frame(0, 0, 1.0, 2), 0.0f);
  log_.drop_copy(0, output::FailReason::BufferFull, 3);
  log_.flush(writer_);
  EXPECT_EQ(writer_.messages_written(), 0u);  // one copy is still on its way
  log_.drop_copy(0, output::FailReason::ServerDown, 5);
  log_.flush(writer_);
  EXPECT_EQ(writer_.messages_written(), 1u);
  EXPECT_EQ(log_.delivered(), 0u);
  EXPECT_EQ(log_.fail_reasons()[static_cast<size_t>(output::FailReason::ServerDown)], 1u);
  EXPECT_EQ(log_.fail_reasons()[static_cast<size_t>(output::FailReason::BufferFull)], 0u);
  // Attributed to the failure that lost the last copy.
  ASSERT_EQ(log_.lost_by_failure().size(), 6u);
  EXPECT_EQ(log_.lost_by_failure()[5], 1u);
  EXPECT_EQ(log_.lost_by_failure()[3], 0u);
}

TEST_F(MessageLogTest, AReportCountsOnceAtItsFirstDeliveredAttempt) {
  events::FrameResolved first = frame(0, 2, 1.0, 1), retry = frame(1, 2, 5.0, 1);
  retry.tx.attempt = 1;  // the ACK of the first was lost: the device sent it again
  log_.record(first, 0.0f);
  log_.record(retry, 0.0f);
  log_.deliver(0, 1.2);
  log_.deliver(1, 5.2);
  log_.flush(writer_);
  EXPECT_EQ(log_.by_population()[0].reports, 1u);
  EXPECT_EQ(log_.by_population()[0].transmissions, 2u);
  EXPECT_EQ(log_.by_population()[0].reports_delivered, 1u);
}

}  // namespace
}  // namespace citytwin::sim
