// core::stream_store: a 32-byte record written around the caches (non-temporal stores on x86-64) holds
// exactly the value given, both halves, and nothing beside it is touched; after stream_fence, another
// thread reads what was streamed.
#include "sim/core/stream_store.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "sim/core/uninitialised.hpp"

namespace citytwin::sim::core {
namespace {

struct alignas(32) Record {
  double a, b;
  uint32_t c, d;
  float e, f;
};

Record record(uint32_t i) {
  return {0.5 * i, -1.0 * i, i, ~i, 0.25f * static_cast<float>(i), -static_cast<float>(i)};
}

bool same(const Record& x, const Record& y) { return std::memcmp(&x, &y, sizeof(Record)) == 0; }

TEST(StreamStore, StoresTheWholeRecordAndNothingBeside) {
  std::vector<Record> records(64, record(1000));
  for (uint32_t i = 1; i < 63; i += 2) stream_store(&records[i], record(i));
  stream_fence();
  for (uint32_t i = 0; i < 64; ++i)
    EXPECT_TRUE(same(records[i], record(i % 2 == 1 && i < 63 ? i : 1000))) << i;
}

TEST(StreamStore, AnotherThreadReadsWhatWasStreamedAfterTheFence) {
  UninitialisedVector<Record> records;
  for (uint32_t round = 0; round < 50; ++round) {
    records.resize(1000 + round);  // (left unwritten: each record is streamed)
    for (uint32_t i = 0; i < records.size(); ++i) stream_store(&records[i], record(i + round));
    stream_fence();
    size_t wrong = 0;
    std::thread reader([&] {
      for (uint32_t i = 0; i < records.size(); ++i) wrong += !same(records[i], record(i + round));
    });
    reader.join();
    ASSERT_EQ(wrong, 0u) << "round " << round;
  }
}

}  // namespace
}  // namespace citytwin::sim::core
