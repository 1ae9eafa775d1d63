// Deflate written a piece at a time (output/huffman_block.hpp): the Huffman code lengths against theory
// (optimal, complete, within their limit), and the blocks against zlib's inflate, the reader HDF5 uses.
#include "output/huffman_block.hpp"

#include <gtest/gtest.h>
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace citytwin::output::h5 {
namespace {

// Sum of 2^-length over the coded symbols, times 2^max: 2^max for a complete prefix code (Kraft).
uint64_t kraft(const std::vector<uint8_t>& lengths, unsigned max) {
  uint64_t sum = 0;
  for (uint8_t len : lengths)
    if (len > 0) sum += uint64_t{1} << (max - len);
  return sum;
}

std::vector<uint8_t> lengths_of(const std::vector<uint32_t>& frequencies, unsigned max_bits) {
  std::vector<uint8_t> lengths(frequencies.size());
  huffman_lengths(frequencies, max_bits, lengths);
  return lengths;
}

TEST(HuffmanLengths, AreTheOptimalCodesOfSmallCases) {
  // Frequencies 1, 1, 2, 4: the optimal code has lengths 3, 3, 2, 1 (cost 1*3 + 1*3 + 2*2 + 4*1 = 14).
  EXPECT_EQ(lengths_of({1, 1, 2, 4}, 15), (std::vector<uint8_t>{3, 3, 2, 1}));
  // Equal frequencies of 8 symbols: a balanced tree, 3 bits each; unused symbols get none.
  EXPECT_EQ(lengths_of({5, 5, 0, 5, 5, 5, 5, 5, 5}, 15), (std::vector<uint8_t>{3, 3, 0, 3, 3, 3, 3, 3, 3}));
  // One symbol alone: one bit (deflate codes a lone distance so), none: nothing.
  EXPECT_EQ(lengths_of({0, 7, 0}, 15), (std::vector<uint8_t>{0, 1, 0}));
  EXPECT_EQ(lengths_of({0, 0}, 15), (std::vector<uint8_t>{0, 0}));
}

TEST(HuffmanLengths, ComeWithinTheEntropyAndABitOfIt) {
  // Shannon: the optimal prefix code's mean length lies in [H, H + 1).
  std::mt19937_64 rng(4);
  std::geometric_distribution<int> geometric(0.05);
  std::vector<uint32_t> freq(256, 0);
  for (int i = 0; i < 100000; ++i) ++freq[std::min(255, geometric(rng))];
  const std::vector<uint8_t> len = lengths_of(freq, 15);
  const double total = std::accumulate(freq.begin(), freq.end(), 0.0);
  double entropy = 0.0, mean = 0.0;
  for (size_t s = 0; s < freq.size(); ++s) {
    if (freq[s] == 0) continue;
    const double p = freq[s] / total;
    entropy -= p * std::log2(p);
    mean += p * len[s];
  }
  EXPECT_GE(mean, entropy);
  EXPECT_LT(mean, entropy + 1.0);
  EXPECT_EQ(kraft(len, 15), uint64_t{1} << 15);
}

TEST(HuffmanLengths, AreLimitedAndStayComplete) {
  // Fibonacci frequencies make the deepest optimal tree: 25 symbols, depth 24 unlimited.
  std::vector<uint32_t> fib = {1, 1};
  while (fib.size() < 25) fib.push_back(fib[fib.size() - 1] + fib[fib.size() - 2]);
  const std::vector<uint8_t> free_len = lengths_of(fib, 24);
  EXPECT_EQ(*std::max_element(free_len.begin(), free_len.end()), 24);
  for (unsigned max : {15u, 7u, 5u}) {
    const std::vector<uint8_t> len = lengths_of(fib, max);
    EXPECT_LE(*std::max_element(len.begin(), len.end()), max);
    EXPECT_EQ(kraft(len, max), uint64_t{1} << max) << max;
  }
  // More symbols than the limit can code is refused.
  EXPECT_THROW(lengths_of(std::vector<uint32_t>(9, 1), 3), std::invalid_argument);
}

// Raw deflate (no zlib header) inflated by zlib.
std::vector<unsigned char> inflate_raw(const unsigned char* data, size_t size, size_t expected) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, -15), Z_OK);
  std::vector<unsigned char> out(expected + 16);
  z.next_in = const_cast<unsigned char*>(data);
  z.avail_in = static_cast<uInt>(size);
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  EXPECT_EQ(z.avail_in, 0u);  // every byte of the stream read
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

std::vector<unsigned char> skewed(size_t n, double p, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::geometric_distribution<int> geometric(p);
  std::vector<unsigned char> b(n);
  for (auto& x : b) x = static_cast<unsigned char>(std::min(255, geometric(rng)));
  return b;
}

TEST(DeflateWriter, LiteralBlocksInflateToTheirBytes) {
  for (const auto& bytes : {skewed(70000, 0.3, 1), skewed(5000, 0.01, 2),
                            std::vector<unsigned char>(9999, 42), std::vector<unsigned char>{7}}) {
    std::vector<unsigned char> out(bytes.size() * 2 + 1024);
    DeflateWriter w(out);
    w.literals(bytes, count_bytes(bytes), true);
    ASSERT_FALSE(w.full());
    EXPECT_EQ(inflate_raw(out.data(), w.size(), bytes.size()), bytes);
  }
  // Every byte value, equally often: 8 bits each, and the header's few hundred bits.
  std::vector<unsigned char> all(256 * 64);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<unsigned char>(i * 7);
  std::vector<unsigned char> out(all.size() * 2);
  DeflateWriter w(out);
  w.literals(all, count_bytes(all), true);
  EXPECT_EQ(inflate_raw(out.data(), w.size(), all.size()), all);
  EXPECT_LT(w.size(), all.size() + 200);
}

TEST(DeflateWriter, CodesLiteralsNearTheirEntropy) {
  // A plane with a third of its bytes 0 and the rest uniform (a time's low bytes where a third of the rows
  // are NaN): a code of its own frequencies takes ~6.4 bits a byte, where stored it takes 8.
  std::mt19937_64 rng(5);
  std::vector<unsigned char> plane(65536);
  for (auto& b : plane) b = rng() % 3 == 0 ? 0 : static_cast<unsigned char>(rng());
  const ByteCounts counts = count_bytes(plane);
  double bits = 0.0;
  for (uint32_t c : counts)
    if (c > 0) bits -= c * std::log2(static_cast<double>(c) / static_cast<double>(plane.size()));
  std::vector<unsigned char> out(plane.size() * 2);
  DeflateWriter w(out);
  w.literals(plane, counts, true);
  EXPECT_EQ(inflate_raw(out.data(), w.size(), plane.size()), plane);
  EXPECT_GE(8.0 * static_cast<double>(w.size()), bits);
  EXPECT_LT(8.0 * static_cast<double>(w.size()), bits * 1.01 + 2000);
}

TEST(DeflateWriter, StoredLiteralsAndLibdeflatesBlocksMakeOneStream) {
  // Stored blocks (more than one block's 65,535 B), a literal block, an empty stored block to align, then a
  // libdeflate stream: zlib inflates the whole to the bytes in order.
  std::mt19937_64 rng(6);
  std::vector<unsigned char> noise(70000), text(30000);
  for (auto& b : noise) b = static_cast<unsigned char>(rng());
  for (size_t i = 0; i < text.size(); ++i) text[i] = static_cast<unsigned char>("citytwin "[i % 9]);
  const std::vector<unsigned char> plane = skewed(40000, 0.2, 7);
  std::vector<unsigned char> out(200000);
  DeflateWriter w(out);
  w.stored(noise, false);
  w.literals(plane, count_bytes(plane), false);
  w.align();
  libdeflate_compressor* c = libdeflate_alloc_compressor(1);
  const std::span<unsigned char> room = w.room();
  const size_t size = libdeflate_deflate_compress(c, text.data(), text.size(), room.data(), room.size());
  libdeflate_free_compressor(c);
  ASSERT_GT(size, 0u);
  w.written(size);
  ASSERT_FALSE(w.full());
  std::vector<unsigned char> all = noise;
  all.insert(all.end(), plane.begin(), plane.end());
  all.insert(all.end(), text.begin(), text.end());
  EXPECT_EQ(inflate_raw(out.data(), w.size(), all.size()), all);
}

// Runs of the given lengths, each of a value unlike the one before.
std::vector<unsigned char> runs_of(const std::vector<size_t>& lengths, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<unsigned char> b;
  unsigned char value = 0;
  for (size_t len : lengths) {
    value = static_cast<unsigned char>(value + 1 + rng() % 255);
    b.insert(b.end(), len, value);
  }
  return b;
}

TEST(RunTokens, AreTheRunsLiteralAndCopiesOfAtMost258) {
  // A run of L: its byte, then copies of the byte before of 258 at most, never leaving 1 or 2 (no such copy):
  // 1 and 2 and 3 are literals only, 4 a literal and a copy of 3, 259 a literal and 258, 260 a literal, 256
  // and 3 (not 258 and 1), 261 a literal, 257 and 3, 262 a literal, 258 and 3.
  const auto tokens = [](size_t len) {
    RunTokens t;
    tokens_of_runs(std::vector<unsigned char>(len, 9), t);
    return t.tokens;
  };
  using T = std::vector<uint16_t>;
  EXPECT_EQ(tokens(1), (T{9}));
  EXPECT_EQ(tokens(3), (T{9, 9, 9}));
  EXPECT_EQ(tokens(4), (T{9, 256}));
  EXPECT_EQ(tokens(259), (T{9, 256 + 255}));
  EXPECT_EQ(tokens(260), (T{9, 256 + 253, 256}));
  EXPECT_EQ(tokens(261), (T{9, 256 + 254, 256}));
  EXPECT_EQ(tokens(262), (T{9, 256 + 255, 256}));
  // Runs cut where the value changes, whatever their place among eight bytes; the counts are the tokens'.
  const std::vector<unsigned char> b = runs_of({1, 2, 7, 8, 9, 15, 16, 17, 1, 1, 300}, 3);
  RunTokens t;
  tokens_of_runs(b, t);
  std::vector<unsigned char> back;
  std::array<uint32_t, 286> counted{};
  counted[256] = 1;  // the end of block
  for (uint16_t token : t.tokens) {
    if (token < 256) {
      back.push_back(static_cast<unsigned char>(token));
      ++counted[token];
      continue;
    }
    const size_t len = token - 256u + 3u;
    back.insert(back.end(), len, back.back());
    const size_t symbol = len <= 10 ? 254 + len : len == 258 ? 285 : 0;  // (the lengths without extra bits)
    if (symbol != 0) {
      EXPECT_EQ(t.frequency[symbol], std::count(t.tokens.begin(), t.tokens.end(), token));
    }
  }
  EXPECT_EQ(back, b);
  for (size_t v = 0; v < 256; ++v) EXPECT_EQ(t.frequency[v], counted[v]) << v;
  EXPECT_EQ(t.frequency[256], 1u);
}

TEST(DeflateWriter, RunBlocksInflateToTheirBytes) {
  // Every run length up to 600 (past 2 x 258), random ones, a constant plane, a plane without runs, one byte
  // and none: zlib inflates each block to its bytes.
  std::vector<size_t> every(600);
  std::iota(every.begin(), every.end(), 1);
  std::mt19937_64 rng(9);
  std::vector<size_t> random(3000);
  for (auto& len : random) len = 1 + rng() % (rng() % 2 ? 4 : 2000);
  for (const auto& bytes :
       {runs_of(every, 1), runs_of(random, 2), std::vector<unsigned char>(65536, 0x7f),
        skewed(20000, 0.3, 10), std::vector<unsigned char>{5}, std::vector<unsigned char>{}}) {
    RunTokens t;
    tokens_of_runs(bytes, t);
    std::vector<unsigned char> out(bytes.size() * 2 + 1024);
    DeflateWriter w(out);
    w.runs(t, true);
    ASSERT_FALSE(w.full());
    EXPECT_EQ(inflate_raw(out.data(), w.size(), bytes.size()), bytes) << bytes.size();
    // runs_bits counts the tokens' bits, the block adds its header (at most 3 + 14 + 19 * 3 + 286 * 7 bits,
    // and 7 for the distance code's length), the end of block (15 at most) and the last byte's padding.
    EXPECT_LE(runs_bits(t), 8 * w.size()) << bytes.size();
    EXPECT_GE(runs_bits(t) + 3 + 14 + 19 * 3 + 286 * 7 + 7 + 15 + 7, 8 * w.size()) << bytes.size();
  }
  // A plane of one value: a literal and 254 copies of 258 (one bit each for the length, one for the
  // distance), the header's lengths, ~100 bytes where stored it takes 65,536.
  const std::vector<unsigned char> constant(65536, 3);
  RunTokens t;
  tokens_of_runs(constant, t);
  EXPECT_EQ(t.tokens.size(), 1u + 254u + 1u);  // (65,535 = 254 x 258 + 3)
  std::vector<unsigned char> out(1024);
  DeflateWriter w(out);
  w.runs(t, true);
  EXPECT_LT(w.size(), 200u);
  EXPECT_EQ(inflate_raw(out.data(), w.size(), constant.size()), constant);
}

TEST(DeflateWriter, StoredRunsAndLiteralBlocksFollowOneAnother) {
  // Runs after literals after runs, not on byte boundaries, then stored: one stream, the bytes in order
  // (each block's copies refer to its own literals only).
  const std::vector<unsigned char> a = runs_of({5, 500, 3, 40}, 4), b = skewed(3000, 0.2, 11),
                                   c = std::vector<unsigned char>(1000, 0);
  std::vector<unsigned char> out(20000);
  DeflateWriter w(out);
  RunTokens t;
  tokens_of_runs(a, t);
  w.runs(t, false);
  w.literals(b, count_bytes(b), false);
  tokens_of_runs(c, t);
  w.runs(t, false);
  w.stored(b, true);
  ASSERT_FALSE(w.full());
  std::vector<unsigned char> all = a;
  for (const auto* part : {&b, &c, &b}) all.insert(all.end(), part->begin(), part->end());
  EXPECT_EQ(inflate_raw(out.data(), w.size(), all.size()), all);
}

TEST(DeflateWriter, SaysWhenTheBufferIsTooSmall) {
  const std::vector<unsigned char> bytes = skewed(10000, 0.01, 8);
  std::vector<unsigned char> out(100);
  DeflateWriter w(out);
  w.literals(bytes, count_bytes(bytes), true);
  EXPECT_TRUE(w.full());
  EXPECT_GT(w.size(), out.size());
  EXPECT_TRUE(w.room().empty());
}

}  // namespace
}  // namespace citytwin::output::h5
