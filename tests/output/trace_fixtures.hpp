// Shared by the trace writer tests: a temporary directory per test, sample run metadata and message
// rows, and checks of what a file holds.
#pragma once

#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>

#include "output/trace_writer.hpp"
#include "tests/output/h5_reader.hpp"

namespace citytwin::output::fixtures {

using h5read::File;
using h5read::length;
using h5read::read_attribute;
using h5read::read_column;

namespace fs = std::filesystem;

// A fresh directory per test (tests may run in parallel processes).
class TraceWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("citytwin_trace_writer_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

inline RunMeta sample_meta() {
  RunMeta meta;
  meta.citytwin_version = "0.1.0";
  meta.seed = 18446744073709551557ULL;  // needs all 64 bits
  meta.threads = 4;
  meta.scenario_source = "scenarios/riverside.yaml";
  meta.scenario_text = "city:\n  name: riverside\n";
  meta.overrides = {"run.seed=7", "run.duration_s=3600"};
  meta.duration_s = 3600.0;
  return meta;
}

inline MessageBatch make_messages(size_t first_row, size_t rows) {
  MessageBatch batch;
  for (size_t i = first_row; i < first_row + rows; ++i) {
    batch.device.push_back(static_cast<uint32_t>(i % 1000));
    batch.t_tx_s.push_back(0.5 * static_cast<double>(i));
    batch.radio.push_back(static_cast<uint8_t>(i % 3));
    batch.sf.push_back(static_cast<uint8_t>(7 + i % 6));
    batch.channel_hz.push_back(868100000u + 200000u * static_cast<uint32_t>(i % 3));
    batch.tx_power_dbm.push_back(static_cast<float>(2 + 2 * (i % 7)));
    batch.airtime_s.push_back(0.041216 * static_cast<double>(1 + i % 6));
    batch.gateways_heard.push_back(static_cast<uint16_t>(i % 5));
    batch.rssi_dbm.push_back(i % 11 == 0 ? std::numeric_limits<float>::quiet_NaN()
                                         : -100.0f - 0.25f * static_cast<float>(i % 40));
    batch.snr_db.push_back(-5.5f + 0.5f * static_cast<float>(i % 20));
    batch.retransmissions.push_back(static_cast<uint8_t>(i % 4));
    const bool delivered = i % 7 != 0;
    batch.delivered.push_back(delivered ? 1 : 0);
    batch.fail_reason.push_back(delivered ? 0 : static_cast<uint8_t>(1 + i % 9));
    batch.failure.push_back(static_cast<int16_t>(i % 13 == 0 ? static_cast<int>(i % 3) : -1));
    batch.t_delivered_s.push_back(delivered ? 0.5 * static_cast<double>(i) + 1.25
                                            : std::numeric_limits<double>::quiet_NaN());
    batch.battery_mah_left.push_back(2400.0 - 1e-4 * static_cast<double>(i));
  }
  return batch;
}

inline int complete_flag(const File& file) {
  return read_attribute<int>(file, "meta", "complete", H5T_NATIVE_INT);
}

inline void expect_messages(const File& file, const MessageBatch& expected) {
  const size_t rows = expected.size();
  for (const char* column : {"device", "t_tx_s", "radio", "sf", "channel_hz", "tx_power_dbm", "airtime_s",
                             "gateways_heard", "rssi_dbm", "snr_db", "retransmissions", "delivered",
                             "fail_reason", "failure", "t_delivered_s", "battery_mah_left"}) {
    ASSERT_EQ(length(file, std::string("messages/") + column), rows) << column;
  }
  EXPECT_EQ(read_column<uint32_t>(file, "messages/device", H5T_NATIVE_UINT32), expected.device);
  EXPECT_EQ(read_column<double>(file, "messages/t_tx_s", H5T_NATIVE_DOUBLE), expected.t_tx_s);
  EXPECT_EQ(read_column<uint8_t>(file, "messages/sf", H5T_NATIVE_UINT8), expected.sf);
  EXPECT_EQ(read_column<uint32_t>(file, "messages/channel_hz", H5T_NATIVE_UINT32), expected.channel_hz);
  EXPECT_EQ(read_column<double>(file, "messages/airtime_s", H5T_NATIVE_DOUBLE), expected.airtime_s);
  EXPECT_EQ(read_column<uint16_t>(file, "messages/gateways_heard", H5T_NATIVE_UINT16),
            expected.gateways_heard);
  EXPECT_EQ(read_column<uint8_t>(file, "messages/delivered", H5T_NATIVE_UINT8), expected.delivered);
  EXPECT_EQ(read_column<uint8_t>(file, "messages/radio", H5T_NATIVE_UINT8), expected.radio);
  EXPECT_EQ(read_column<uint8_t>(file, "messages/fail_reason", H5T_NATIVE_UINT8), expected.fail_reason);
  EXPECT_EQ(read_column<int16_t>(file, "messages/failure", H5T_NATIVE_INT16), expected.failure);
  EXPECT_EQ(read_column<uint8_t>(file, "messages/retransmissions", H5T_NATIVE_UINT8),
            expected.retransmissions);
  EXPECT_EQ(read_column<float>(file, "messages/tx_power_dbm", H5T_NATIVE_FLOAT), expected.tx_power_dbm);
  EXPECT_EQ(read_column<float>(file, "messages/snr_db", H5T_NATIVE_FLOAT), expected.snr_db);
  const auto rssi = read_column<float>(file, "messages/rssi_dbm", H5T_NATIVE_FLOAT);
  ASSERT_EQ(rssi.size(), rows);
  for (size_t i = 0; i < rows; ++i)
    EXPECT_TRUE(std::isnan(expected.rssi_dbm[i]) ? std::isnan(rssi[i]) : rssi[i] == expected.rssi_dbm[i])
        << i;
  EXPECT_EQ(read_column<double>(file, "messages/battery_mah_left", H5T_NATIVE_DOUBLE),
            expected.battery_mah_left);
  const auto delivered_at = read_column<double>(file, "messages/t_delivered_s", H5T_NATIVE_DOUBLE);
  size_t mismatches = 0;
  for (size_t i = 0; i < rows; ++i) {
    const double want = expected.t_delivered_s[i];
    const bool same = std::isnan(want) ? std::isnan(delivered_at[i]) : delivered_at[i] == want;
    if (!same) ++mismatches;
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(read_attribute<uint64_t>(file, "messages", "rows_written", H5T_NATIVE_UINT64), rows);
}

}  // namespace citytwin::output::fixtures
