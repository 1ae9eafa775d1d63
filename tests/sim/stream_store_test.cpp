// core::stream_store: a 32-byte record written around the caches (non-temporal stores on x86-64) holds
// exactly the value given, both halves, and nothing beside it is touched; after stream_fence, another
// thread reads what was streamed. stream_words does the same 4 bytes at a time, for small records appended
// one by one (the radio medium's verdicts).
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

struct Verdict {  // 20 B: five words, the last with padding (as RadioMedium's)
  uint32_t first, received, in_range;
  float strongest;
  uint8_t fate;
};

TEST(StreamWords, StoresEachRecordWhole4BytesAtATimeAndNothingBeside) {
  std::vector<uint32_t> words(1000, 7u);
  for (uint32_t i = 1; i < 999; i += 3) stream_words(&words[i], i * 11);
  std::vector<Verdict> verdicts(100, Verdict{9, 9, 9, 9.0f, 9});
  for (uint32_t i = 0; i < 99; i += 2)
    stream_words(&verdicts[i],
                 Verdict{i, 2 * i, 3 * i, 0.5f * static_cast<float>(i), static_cast<uint8_t>(i)});
  stream_fence();
  for (uint32_t i = 0; i < 1000; ++i) EXPECT_EQ(words[i], i % 3 == 1 && i < 999 ? i * 11 : 7u) << i;
  for (uint32_t i = 0; i < 100; ++i) {
    const Verdict& v = verdicts[i];
    if (i % 2 == 0 && i < 99) {
      EXPECT_EQ(v.first, i);
      EXPECT_EQ(v.received, 2 * i);
      EXPECT_EQ(v.in_range, 3 * i);
      EXPECT_EQ(v.strongest, 0.5f * static_cast<float>(i));
      EXPECT_EQ(v.fate, static_cast<uint8_t>(i));
    } else {
      EXPECT_EQ(v.first, 9u) << i;
      EXPECT_EQ(v.fate, 9) << i;
    }
  }
}

TEST(StreamWords, AnotherThreadReadsWhatWasStreamedAfterTheFence) {
  UninitialisedVector<float> values;
  for (uint32_t round = 0; round < 50; ++round) {
    std::thread writer([&] {
      values.resize(333 * (round + 1));
      for (uint32_t i = 0; i < values.size(); ++i) stream_words(&values[i], static_cast<float>(i + round));
      stream_fence();
    });
    writer.join();
    size_t wrong = 0;
    for (uint32_t i = 0; i < values.size(); ++i) wrong += values[i] != static_cast<float>(i + round);
    ASSERT_EQ(wrong, 0u) << "round " << round;
  }
}

}  // namespace
}  // namespace citytwin::sim::core
