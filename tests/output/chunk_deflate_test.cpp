// The trace's chunks filtered by libdeflate (output/chunk_deflate.hpp) are the chunks HDF5's own shuffle
// and deflate filters would store: checked against HDF5's shuffle byte for byte, against zlib's inflate,
// and read back through HDF5's pipeline (what h5py does).
#include "output/chunk_deflate.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace citytwin::output::h5 {
namespace {

namespace fs = std::filesystem;

std::span<const unsigned char> bytes_of(const auto& values) {
  return {reinterpret_cast<const unsigned char*>(values.data()), values.size() * sizeof(values[0])};
}

// A slowly varying series with noise in its low bytes, like the trace's times and battery levels.
std::vector<double> times(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> jitter(0.0, 0.9);
  std::vector<double> t(n);
  for (size_t i = 0; i < n; ++i) t[i] = 3600.0 + static_cast<double>(i) + jitter(rng);
  return t;
}

class ChunkFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("citytwin_chunk_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    file_ = H5Fcreate((dir_ / "c.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(file_, 0);
  }
  void TearDown() override {
    if (file_ >= 0) H5Fclose(file_);
    fs::remove_all(dir_);
  }
  // A 1-D dataset of `rows` rows in chunks of `chunk` rows, with shuffle and/or deflate (level 1).
  hid_t create(const char* name, hid_t type, hsize_t rows, hsize_t chunk, bool shuffle, bool deflate) const {
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, &chunk);
    if (shuffle) H5Pset_shuffle(dcpl);
    if (deflate) H5Pset_deflate(dcpl, 1);
    const hid_t space = H5Screate_simple(1, &rows, nullptr);
    const hid_t dataset = H5Dcreate2(file_, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Sclose(space);
    H5Pclose(dcpl);
    EXPECT_GE(dataset, 0);
    return dataset;
  }

  fs::path dir_;
  hid_t file_ = H5I_INVALID_HID;
};

TEST_F(ChunkFile, ShuffleIsHdf5sShuffleByteForByte) {
  // HDF5 shuffles a chunk written through its pipeline; H5Dread_chunk returns the stored bytes.
  const std::vector<double> t = times(1000, 1);
  std::vector<uint16_t> small(777);
  for (size_t i = 0; i < small.size(); ++i) small[i] = static_cast<uint16_t>(i * 37 + (i >> 3));
  const auto check = [&](const char* name, hid_t type, std::span<const unsigned char> raw, size_t size) {
    const hsize_t rows = raw.size() / size;
    const hid_t dataset = create(name, type, rows, rows, true, false);
    ASSERT_GE(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), 0);
    std::vector<unsigned char> stored(raw.size());
    uint32_t mask = 99;
    const hsize_t offset = 0;
    ASSERT_GE(H5Dread_chunk(dataset, H5P_DEFAULT, &offset, &mask, stored.data()), 0);
    EXPECT_EQ(mask, 0u);
    std::vector<unsigned char> ours(raw.size());
    shuffle_bytes(raw, size, ours.data());
    EXPECT_EQ(ours, stored) << name;
    EXPECT_NE(ours, std::vector<unsigned char>(raw.begin(), raw.end())) << name << ": shuffle moved nothing";
    H5Dclose(dataset);
  };
  check("t", H5T_NATIVE_DOUBLE, bytes_of(t), 8);
  check("small", H5T_NATIVE_UINT16, bytes_of(small), 2);
}

TEST(ChunkDeflate, ShuffleMovesByteJOfElementIToJTimesNPlusI) {
  // Against the definition, byte by byte, for every element size the trace uses and others, with element
  // counts that leave a tail past a multiple of sixteen and bytes past the last whole element.
  std::mt19937_64 rng(13);
  for (size_t element : {1, 2, 3, 4, 5, 8, 16}) {
    for (size_t count : {0, 1, 15, 16, 17, 33, 1000, 4099}) {
      std::vector<unsigned char> raw(count * element + (count % 3 == 1 ? element / 2 : 0));
      for (auto& b : raw) b = static_cast<unsigned char>(rng());
      std::vector<unsigned char> out(raw.size(), 0xEE), expected(raw.size());
      const size_t n = raw.size() / element;
      for (size_t i = 0; i < raw.size(); ++i)
        expected[i] = i < n * element ? raw[(i % n) * element + i / n] : raw[i];
      if (element == 1 || n <= 1) expected = raw;
      shuffle_bytes(raw, element, out.data());
      EXPECT_EQ(out, expected) << "element " << element << ", count " << count;
    }
  }
}

TEST(ChunkDeflate, IsAZlibStreamOfTheShuffledBytes) {
  const std::vector<double> t = times(65536, 2);
  const FilteredChunk chunk = filter_chunk(bytes_of(t), 8, true, 1);
  ASSERT_EQ(chunk.filter_mask, 0u);
  EXPECT_LT(chunk.bytes.size(), t.size() * 8 * 3 / 4);  // the shuffled times deflate (their top bytes)
  std::vector<unsigned char> inflated(t.size() * 8);
  uLongf size = inflated.size();
  ASSERT_EQ(uncompress(inflated.data(), &size, chunk.bytes.data(), chunk.bytes.size()), Z_OK);
  ASSERT_EQ(size, inflated.size());
  std::vector<unsigned char> shuffled(t.size() * 8);
  shuffle_bytes(bytes_of(t), 8, shuffled.data());
  EXPECT_EQ(inflated, shuffled);
}

TEST(ChunkDeflate, AChunkDeflateCannotShrinkIsStoredWithItsDeflateBitSet) {
  std::mt19937_64 rng(3);
  std::vector<uint64_t> noise(4096);
  for (auto& v : noise) v = rng();
  const FilteredChunk shuffled = filter_chunk(bytes_of(noise), 8, true, 1);
  EXPECT_EQ(shuffled.filter_mask, 0b10u);  // pipeline [shuffle, deflate]: deflate skipped
  EXPECT_EQ(shuffled.bytes.size(), noise.size() * 8);
  const FilteredChunk plain = filter_chunk(bytes_of(noise), 8, false, 1);
  EXPECT_EQ(plain.filter_mask, 0b1u);  // pipeline [deflate]
  EXPECT_TRUE(std::equal(plain.bytes.begin(), plain.bytes.end(), bytes_of(noise).begin()));
  EXPECT_THROW(filter_chunk(bytes_of(noise), 8, true, 0), std::invalid_argument);
  EXPECT_THROW(filter_chunk(bytes_of(noise), 8, true, 10), std::invalid_argument);
}

TEST_F(ChunkFile, ChunksWrittenDirectlyReadBackThroughHdf5sPipeline) {
  // Three chunks: times (shuffled, deflated), noise (deflate skipped), and a last partial one padded with
  // zeros, as the trace writer stores them; HDF5 reads them with its own filters.
  const hsize_t chunk = 2048;
  std::vector<double> values = times(3 * chunk, 4);
  std::mt19937_64 rng(5);
  for (size_t i = chunk; i < 2 * chunk; ++i) {
    const uint64_t bits = rng() & 0x7fefffffffffffffULL;  // finite
    std::memcpy(&values[i], &bits, 8);
  }
  const hsize_t rows = 3 * chunk - 100;
  for (const bool shuffle : {true, false}) {
    const std::string name = shuffle ? "shuffled" : "plain";
    const hid_t dataset = create(name.c_str(), H5T_IEEE_F64LE, rows, chunk, shuffle, true);
    std::vector<uint32_t> masks;
    for (hsize_t first = 0; first < rows; first += chunk) {
      std::vector<double> raw(values.begin() + static_cast<long>(first),
                              values.begin() + static_cast<long>(first + chunk));
      if (first + chunk > rows) std::fill(raw.begin() + static_cast<long>(rows - first), raw.end(), 0.0);
      const FilteredChunk c = filter_chunk(bytes_of(raw), 8, shuffle, 1);
      masks.push_back(c.filter_mask);
      ASSERT_GE(H5Dwrite_chunk(dataset, H5P_DEFAULT, c.filter_mask, &first, c.bytes.size(), c.bytes.data()),
                0);
    }
    const uint32_t skipped = shuffle ? 0b10u : 0b1u;
    EXPECT_EQ(masks, (std::vector<uint32_t>{0, skipped, 0})) << name;
    std::vector<double> back(rows);
    ASSERT_GE(H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, back.data()), 0);
    EXPECT_EQ(std::memcmp(back.data(), values.data(), rows * 8), 0) << name;
    H5Dclose(dataset);
  }
}

// zlib's own level-1 stream of the same bytes, for its size.
size_t zlib_size(const std::vector<unsigned char>& bytes) {
  std::vector<unsigned char> out(compressBound(bytes.size()));
  uLongf size = out.size();
  EXPECT_EQ(compress2(out.data(), &size, bytes.data(), bytes.size(), 1), Z_OK);
  return size;
}

// libdeflate's own level-1 stream of the same bytes (deflate's search over all of them), for its size.
size_t libdeflate_size(const std::vector<unsigned char>& bytes) {
  libdeflate_compressor* c = libdeflate_alloc_compressor(1);
  std::vector<unsigned char> out(bytes.size() + 1024);
  const size_t size = libdeflate_zlib_compress(c, bytes.data(), bytes.size(), out.data(), out.size());
  libdeflate_free_compressor(c);
  return size;
}

std::vector<unsigned char> inflate_all(std::span<const unsigned char> z, size_t size) {
  std::vector<unsigned char> out(size);
  uLongf n = out.size();
  EXPECT_EQ(uncompress(out.data(), &n, z.data(), z.size()), Z_OK);
  EXPECT_EQ(n, size);
  return out;
}

TEST(ChunkDeflate, NoisePlanesAreStoredAndTheRestDeflated) {
  // A time's five low bytes are noise: they go in stored blocks (RFC 1951 3.2.4: header byte 0, then LEN
  // 0xffff and NLEN), and the stream is no larger than zlib's own level 1 of the same bytes.
  const std::vector<double> t = times(65536, 6);
  const FilteredChunk chunk = filter_chunk(bytes_of(t), 8, true, 1);
  ASSERT_EQ(chunk.filter_mask, 0u);
  ASSERT_GT(chunk.bytes.size(), 7u);
  EXPECT_EQ(chunk.bytes[2], 0x00);
  EXPECT_EQ(chunk.bytes[3], 0xff);
  EXPECT_EQ(chunk.bytes[4], 0xff);
  EXPECT_EQ(chunk.bytes[5], 0x00);
  // ... in blocks of 65,535 B, the most one holds: 5 x 65,536 B in six, the last of 5 B (LEN 5, NLEN ~5).
  const size_t last = 2 + 5 * (5 + 65535);
  ASSERT_GT(chunk.bytes.size(), last + 10);
  EXPECT_EQ(chunk.bytes[last], 0x00);
  EXPECT_EQ(chunk.bytes[last + 1], 0x05);
  EXPECT_EQ(chunk.bytes[last + 2], 0x00);
  EXPECT_EQ(chunk.bytes[last + 3], 0xfa);
  EXPECT_EQ(chunk.bytes[last + 4], 0xff);
  std::vector<unsigned char> shuffled(t.size() * 8);
  shuffle_bytes(bytes_of(t), 8, shuffled.data());
  EXPECT_EQ(inflate_all(chunk.bytes, shuffled.size()), shuffled);
  EXPECT_LE(chunk.bytes.size(), zlib_size(shuffled) * 101 / 100);
  EXPECT_GE(chunk.bytes.size(), 5 * t.size());  // the noise itself, stored
}

TEST(ChunkDeflate, ACountersLowByteIsNotTakenForNoise) {
  // Every value equally often and never twice in a row, but it repeats every 256 bytes: deflate shrinks it.
  std::vector<uint32_t> counter(65536);
  for (size_t i = 0; i < counter.size(); ++i) counter[i] = static_cast<uint32_t>(i);
  const FilteredChunk chunk = filter_chunk(bytes_of(counter), 4, true, 1);
  ASSERT_EQ(chunk.filter_mask, 0u);
  EXPECT_LT(chunk.bytes.size(), counter.size() / 10);  // a stored low byte alone would be 65,536 B
  std::vector<unsigned char> shuffled(counter.size() * 4);
  shuffle_bytes(bytes_of(counter), 4, shuffled.data());
  EXPECT_EQ(inflate_all(chunk.bytes, shuffled.size()), shuffled);
}

// Delivery times: a third of the rows NaN (frames lost), the others times with noise in their low bytes.
std::vector<double> delivery_times(size_t n, uint64_t seed) {
  std::vector<double> t = times(n, seed);
  std::mt19937_64 rng(seed + 100);
  for (double& v : t)
    if (rng() % 3 == 0) v = std::nan("");
  return t;
}

TEST(ChunkDeflate, LowPlanesWithoutRepeatsAreCodedAsLiteralsSmallerThanDeflate) {
  // The five low planes are a third zeros (the NaNs' low bytes) and the rest noise: not noise to store, and
  // nothing for deflate's string search. Coded by their own frequencies (~6.4 bits a byte) the chunk is
  // smaller than zlib's level 1 (which finds a few short matches and codes the rest with its Huffman codes).
  const std::vector<double> t = delivery_times(65536, 9);
  std::vector<unsigned char> shuffled(t.size() * 8);
  shuffle_bytes(bytes_of(t), 8, shuffled.data());
  const FilteredChunk chunk = filter_chunk(bytes_of(t), 8, true, 1);
  ASSERT_EQ(chunk.filter_mask, 0u);
  EXPECT_EQ(inflate_all(chunk.bytes, shuffled.size()), shuffled);
  EXPECT_LT(chunk.bytes.size(), libdeflate_size(shuffled) * 98 / 100);  // (3.4 % smaller here)
  // At the slower levels deflate searches every plane, as asked: the same bytes come back.
  const FilteredChunk searched = filter_chunk(bytes_of(t), 8, true, 6);
  ASSERT_EQ(searched.filter_mask, 0u);
  EXPECT_EQ(inflate_all(searched.bytes, shuffled.size()), shuffled);
}

TEST(ChunkDeflate, APatternWithAPeriodIsLeftToDeflate) {
  // A small city's gateways heard (1..40), one value a device, in the order its 1,000 devices report, again
  // and again: byte after byte the low plane looks drawn one by one (~5.3 bits a byte, a value equal to the
  // one before about 1 time in 40), but the whole repeats every 1,000 rows, which deflate finds.
  std::mt19937_64 rng(10);
  std::vector<uint16_t> heard_by(1000);
  for (auto& h : heard_by) h = static_cast<uint16_t>(1 + rng() % 40);
  std::vector<uint16_t> heard(65536);
  for (size_t i = 0; i < heard.size(); ++i) heard[i] = heard_by[i % heard_by.size()];
  std::vector<unsigned char> shuffled(heard.size() * 2);
  shuffle_bytes(bytes_of(heard), 2, shuffled.data());
  const FilteredChunk chunk = filter_chunk(bytes_of(heard), 2, true, 1);
  ASSERT_EQ(chunk.filter_mask, 0u);
  EXPECT_EQ(inflate_all(chunk.bytes, shuffled.size()), shuffled);
  // A code of the low plane's frequencies alone would take ~43 KB.
  EXPECT_LT(chunk.bytes.size(), 8192u);
}

// A float column like a battery level or a signal level: its two low planes noise, the third drifting
// slowly (runs of ~`run` rows), the top one a single value.
std::vector<unsigned char> drifting_floats(size_t n, size_t run, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<unsigned char> raw(n * 4);
  for (size_t i = 0; i < n; ++i) {
    raw[4 * i] = static_cast<unsigned char>(rng());
    raw[4 * i + 1] = static_cast<unsigned char>(rng());
    raw[4 * i + 2] = static_cast<unsigned char>(0x40 + i / run);
    raw[4 * i + 3] = 0x45;
  }
  return raw;
}

TEST(ChunkDeflate, PlanesOfLongRunsAreCodedNoLargerThanDeflateDoes) {
  // Above two noise planes (stored), a drift in runs of ~100 and a constant plane: coded as runs (a literal
  // and a copy a run), the chunk is within 0.1 % of libdeflate's (each block of runs has its own code's
  // header, ~60 bytes), and reads back.
  for (const size_t run : {100, 3000}) {
    const std::vector<unsigned char> raw = drifting_floats(65536, run, run);
    std::vector<unsigned char> shuffled(raw.size());
    shuffle_bytes(raw, 4, shuffled.data());
    const FilteredChunk chunk = filter_chunk(raw, 4, true, 1);
    ASSERT_EQ(chunk.filter_mask, 0u);
    EXPECT_EQ(inflate_all(chunk.bytes, shuffled.size()), shuffled) << run;
    EXPECT_LE(chunk.bytes.size(), libdeflate_size(shuffled) * 1001 / 1000) << run;
    // The two noise planes stored (65,536 B each and their blocks' 5-byte headers), the runs ~2 % more.
    EXPECT_LT(chunk.bytes.size(), 2 * 65536 * 102 / 100) << run;
  }
}

TEST(ChunkDeflate, AChunkOfBytesIsCodedAsOnePlane) {
  // A 1-byte column (a failure reason, a spreading factor: a few values, drawn row by row), shuffled or not
  // (the same bytes): coded by its own frequencies, smaller than libdeflate's (which finds short matches
  // and pays for them), and inflates to its bytes.
  std::mt19937_64 rng(14);
  std::discrete_distribution<int> reason({60, 25, 8, 4, 2, 1});
  std::vector<unsigned char> raw(65536);
  for (auto& b : raw) b = static_cast<unsigned char>(reason(rng));
  for (const bool shuffle : {true, false}) {
    const FilteredChunk chunk = filter_chunk(raw, 1, shuffle, 1);
    ASSERT_EQ(chunk.filter_mask, 0u);
    EXPECT_EQ(inflate_all(chunk.bytes, raw.size()), raw);
    EXPECT_LT(chunk.bytes.size(), libdeflate_size(raw) * 98 / 100) << shuffle;
  }
}

TEST(ChunkDeflate, EveryMixOfPlanesInflatesToItsBytes) {
  // Chunks whose byte planes are drawn at random among the kinds the trace has (noise, a third zeros, a few
  // values, a slow drift, one value, a pattern with a period), of every element size, some with bytes past
  // the last whole element, at every level: whatever each plane is coded as (stored, literals, through
  // libdeflate), zlib inflates the chunk to the shuffled bytes, or the chunk is stored as it is.
  std::mt19937_64 rng(12);
  for (int trial = 0; trial < 120; ++trial) {
    const size_t element = std::array<size_t, 4>{1, 2, 4, 8}[rng() % 4];
    const size_t rows = 16384 + rng() % 50000, extra = rng() % 3 == 0 ? rng() % element : 0;
    std::vector<unsigned char> raw(rows * element + extra);
    const std::vector<uint8_t> period = [&] {
      std::vector<uint8_t> p(1 + rng() % 3000);
      for (auto& b : p) b = static_cast<uint8_t>(rng() % 37);
      return p;
    }();
    for (size_t j = 0; j < element; ++j) {
      const int kind = static_cast<int>(rng() % 6);
      const auto value = static_cast<unsigned char>(rng());
      for (size_t i = 0; i < rows; ++i) {
        unsigned char& b = raw[i * element + j];
        switch (kind) {
          case 0:
            b = static_cast<unsigned char>(rng());
            break;
          case 1:
            b = rng() % 3 == 0 ? 0 : static_cast<unsigned char>(rng());
            break;
          case 2:
            b = static_cast<unsigned char>(rng() % 5);
            break;
          case 3:
            b = static_cast<unsigned char>(i / 700 + value);
            break;
          case 4:
            b = value;
            break;
          default:
            b = period[i % period.size()];
            break;
        }
      }
    }
    for (size_t i = rows * element; i < raw.size(); ++i) raw[i] = static_cast<unsigned char>(rng());
    const auto level = static_cast<unsigned>(1 + rng() % 9);
    std::vector<unsigned char> shuffled(raw.size());
    shuffle_bytes(raw, element, shuffled.data());
    const FilteredChunk chunk = filter_chunk(raw, element, true, level);
    if (chunk.filter_mask != 0) {
      EXPECT_TRUE(std::equal(chunk.bytes.begin(), chunk.bytes.end(), shuffled.begin(), shuffled.end()))
          << trial;
      continue;
    }
    EXPECT_LT(chunk.bytes.size(), raw.size()) << trial;
    EXPECT_EQ(inflate_all(chunk.bytes, shuffled.size()), shuffled)
        << "trial " << trial << ", element " << element << ", level " << level;
  }
}

TEST(ChunkDeflate, AChunkOfOneValueIsFilteredOnceAndReadsBackEachTime) {
  // The same value chunk after chunk (a column that does not change), between other chunks, and the same
  // value in a chunk of another size: each inflates to its own bytes.
  const std::vector<float> power(65536, 14.0f), shorter(2048, 14.0f);
  const std::vector<double> t = times(65536, 7);
  std::vector<unsigned char> first;
  for (int round = 0; round < 3; ++round) {
    const FilteredChunk c = filter_chunk(bytes_of(power), 4, true, 1);
    ASSERT_EQ(c.filter_mask, 0u);
    std::vector<unsigned char> shuffled(power.size() * 4);
    shuffle_bytes(bytes_of(power), 4, shuffled.data());
    EXPECT_EQ(inflate_all(c.bytes, shuffled.size()), shuffled) << round;
    if (round == 0) first.assign(c.bytes.begin(), c.bytes.end());
    EXPECT_TRUE(std::equal(c.bytes.begin(), c.bytes.end(), first.begin(), first.end())) << round;
    const FilteredChunk s = filter_chunk(bytes_of(shorter), 4, true, 1);
    std::vector<unsigned char> short_shuffled(shorter.size() * 4);
    shuffle_bytes(bytes_of(shorter), 4, short_shuffled.data());
    EXPECT_EQ(inflate_all(s.bytes, short_shuffled.size()), short_shuffled) << round;
    const FilteredChunk unshuffled = filter_chunk(bytes_of(power), 4, false, 1);
    EXPECT_EQ(inflate_all(unshuffled.bytes, power.size() * 4),
              std::vector<unsigned char>(bytes_of(power).begin(), bytes_of(power).end()))
        << round;
    (void)filter_chunk(bytes_of(t), 8, true, 1);
  }
}

TEST_F(ChunkFile, FullChunksWithStoredNoiseAndRepeatedValuesReadBackThroughHdf5) {
  // The trace's own chunk size: times (their noise stored), one value twice (the second from the cache),
  // then times again, read back by HDF5's pipeline.
  const hsize_t chunk = 65536;
  std::vector<double> values = times(4 * chunk, 8);
  std::fill(values.begin() + chunk, values.begin() + 3 * chunk, 1234.5);
  // ... and the last chunk's low planes coded as literals (delivery times, a third NaN).
  const std::vector<double> delivered = delivery_times(chunk, 11);
  std::copy(delivered.begin(), delivered.end(), values.begin() + 3 * chunk);
  const hid_t dataset = create("t", H5T_IEEE_F64LE, 4 * chunk, chunk, true, true);
  for (hsize_t first = 0; first < 4 * chunk; first += chunk) {
    const std::vector<double> raw(values.begin() + static_cast<long>(first),
                                  values.begin() + static_cast<long>(first + chunk));
    const FilteredChunk c = filter_chunk(bytes_of(raw), 8, true, 1);
    ASSERT_EQ(c.filter_mask, 0u);
    ASSERT_GE(H5Dwrite_chunk(dataset, H5P_DEFAULT, c.filter_mask, &first, c.bytes.size(), c.bytes.data()), 0);
  }
  std::vector<double> back(4 * chunk);
  ASSERT_GE(H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, back.data()), 0);
  EXPECT_EQ(std::memcmp(back.data(), values.data(), back.size() * sizeof(double)), 0);  // (NaN != NaN)
  H5Dclose(dataset);
}

TEST_F(ChunkFile, PlanesCodedAsRunsAndBytesAsOnePlaneReadBackThroughHdf5) {
  // Floats whose upper planes are runs (one chunk of short runs, one of a single value over the chunk) and
  // a 1-byte column without the shuffle filter, read back by HDF5's pipeline.
  const hsize_t chunk = 65536;
  std::vector<unsigned char> floats = drifting_floats(chunk, 100, 1);
  const std::vector<unsigned char> more = drifting_floats(chunk, 100000, 2);
  floats.insert(floats.end(), more.begin(), more.end());
  std::mt19937_64 rng(15);
  std::vector<unsigned char> reasons(2 * chunk);
  for (auto& b : reasons) b = rng() % 4 == 0 ? static_cast<unsigned char>(1 + rng() % 5) : 0;
  const auto write_and_read = [&](const char* name, hid_t type, const std::vector<unsigned char>& bytes,
                                  size_t element, bool shuffle) {
    const hid_t dataset = create(name, type, 2 * chunk, chunk, shuffle, true);
    for (hsize_t first = 0; first < 2 * chunk; first += chunk) {
      const std::span<const unsigned char> raw(bytes.data() + first * element, chunk * element);
      const FilteredChunk c = filter_chunk(raw, element, shuffle, 1);
      ASSERT_EQ(c.filter_mask, 0u) << name;
      ASSERT_GE(H5Dwrite_chunk(dataset, H5P_DEFAULT, c.filter_mask, &first, c.bytes.size(), c.bytes.data()),
                0);
    }
    std::vector<unsigned char> back(bytes.size());
    ASSERT_GE(H5Dread(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, back.data()), 0);
    EXPECT_EQ(back, bytes) << name;
    H5Dclose(dataset);
  };
  write_and_read("level", H5T_IEEE_F32LE, floats, 4, true);
  write_and_read("reason", H5T_STD_U8LE, reasons, 1, false);
}

}  // namespace
}  // namespace citytwin::output::h5
