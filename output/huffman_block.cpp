#include "output/huffman_block.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

namespace citytwin::output::h5 {

ByteCounts count_bytes(std::span<const unsigned char> bytes) {
  // Four tables, one for each byte of four in a row: a run of one value would otherwise wait on the
  // increment before.
  std::array<std::array<uint32_t, 256>, 4> counts{};
  const size_t n = bytes.size(), whole = n - n % 4;
  const unsigned char* b = bytes.data();
  for (size_t i = 0; i < whole; i += 4) {
    ++counts[0][b[i]];
    ++counts[1][b[i + 1]];
    ++counts[2][b[i + 2]];
    ++counts[3][b[i + 3]];
  }
  for (size_t i = whole; i < n; ++i) ++counts[0][b[i]];
  ByteCounts total{};
  for (size_t v = 0; v < 256; ++v) total[v] = counts[0][v] + counts[1][v] + counts[2][v] + counts[3][v];
  return total;
}

void huffman_lengths(std::span<const uint32_t> frequencies, unsigned max_bits, std::span<uint8_t> lengths) {
  if (lengths.size() != frequencies.size() || max_bits < 1 || max_bits > 24)
    throw std::invalid_argument("huffman_lengths: a length for each frequency, max_bits 1..24");
  std::fill(lengths.begin(), lengths.end(), uint8_t{0});
  std::vector<uint64_t> weight(frequencies.begin(), frequencies.end());
  // Halving keeps a nonzero weight nonzero: the symbols to code are the same in every pass.
  if (static_cast<size_t>(std::count_if(weight.begin(), weight.end(), [](uint64_t w) { return w > 0; })) >
      (size_t{1} << max_bits))
    throw std::invalid_argument("huffman_lengths: more symbols than max_bits can code");
  std::vector<std::pair<uint64_t, uint32_t>> leaves;  // (weight, symbol), lightest first
  for (;;) {
    leaves.clear();
    for (uint32_t s = 0; s < weight.size(); ++s)
      if (weight[s] > 0) leaves.emplace_back(weight[s], s);
    if (leaves.empty()) return;
    if (leaves.size() == 1) {
      lengths[leaves[0].second] = 1;
      return;
    }
    std::sort(leaves.begin(), leaves.end());
    // The tree with two queues: the leaves in order, and the joined nodes, made in order of weight. Nodes
    // 0 .. m - 1 are the leaves, m .. 2m - 2 the joined ones; a node's parent comes after it.
    const size_t m = leaves.size(), nodes = 2 * m - 1;
    std::vector<uint64_t> w(nodes);
    std::vector<uint32_t> parent(nodes, 0), depth(nodes, 0);
    for (size_t i = 0; i < m; ++i) w[i] = leaves[i].first;
    size_t next_leaf = 0, next_joined = m;
    const auto lightest = [&](size_t made) {
      if (next_leaf < m && (next_joined >= made || w[next_leaf] <= w[next_joined])) return next_leaf++;
      return next_joined++;
    };
    for (size_t k = m; k < nodes; ++k) {
      const size_t a = lightest(k), b = lightest(k);
      w[k] = w[a] + w[b];
      parent[a] = parent[b] = static_cast<uint32_t>(k);
    }
    unsigned longest = 0;
    for (size_t k = nodes - 1; k-- > 0;) {
      depth[k] = depth[parent[k]] + 1;
      if (k < m) longest = std::max(longest, depth[k]);
    }
    if (longest <= max_bits) {
      for (size_t i = 0; i < m; ++i) lengths[leaves[i].second] = static_cast<uint8_t>(depth[i]);
      return;
    }
    for (uint64_t& f : weight)
      if (f > 0) f = (f + 1) / 2;  // flatter, until the code fits (all equal at worst: a balanced tree)
  }
}

namespace {

// The canonical codes of these lengths (RFC 1951 3.2.2), bit-reversed: deflate sends a code's most
// significant bit first into a stream filled from each byte's least significant bit.
void canonical_codes(std::span<const uint8_t> lengths, std::span<uint16_t> codes) {
  std::array<uint16_t, 17> count{}, next{};
  for (uint8_t len : lengths) ++count[len];
  count[0] = 0;
  uint16_t code = 0;
  for (size_t bits = 1; bits <= 16; ++bits) {
    code = static_cast<uint16_t>((code + count[bits - 1]) << 1);
    next[bits] = code;
  }
  for (size_t s = 0; s < lengths.size(); ++s) {
    const unsigned len = lengths[s];
    codes[s] = 0;
    if (len == 0) continue;
    const uint16_t c = next[len]++;
    uint16_t reversed = 0;
    for (unsigned i = 0; i < len; ++i)
      reversed = static_cast<uint16_t>(reversed | (((c >> i) & 1u) << (len - 1 - i)));
    codes[s] = reversed;
  }
}

constexpr size_t kLiteralCodes = 257;   // the bytes and the end of block (HLIT 0: no lengths coded)
constexpr size_t kLengthSymbols = 286;  // ... and the lengths' symbols, 257..285
constexpr unsigned kEndOfBlock = 256;
// The order in which a dynamic block gives the code length code's lengths (RFC 1951 3.2.7).
constexpr std::array<uint8_t, 19> kLengthOrder = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                  11, 4,  12, 3, 13, 2, 14, 1, 15};
// The length symbols 257..285: the shortest length of each and its extra bits (RFC 1951 3.2.5).
constexpr std::array<uint16_t, 29> kLengthBase = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                                  15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                                  67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<uint8_t, 29> kLengthExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                  2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr size_t kMinCopy = 3, kMaxCopy = 258;
// A copy's length (3..258) to its symbol's index (0..28, symbol 257 + index).
constexpr std::array<uint8_t, kMaxCopy + 1> kLengthIndex = [] {
  std::array<uint8_t, kMaxCopy + 1> index{};
  for (size_t len = kMinCopy, k = 0; len <= kMaxCopy; ++len) {
    while (k + 1 < kLengthBase.size() && kLengthBase[k + 1] <= len) ++k;
    index[len] = static_cast<uint8_t>(k);
  }
  return index;
}();

}  // namespace

void DeflateWriter::put(uint64_t bits, unsigned count) {
  bits_ |= bits << count_;
  count_ += count;
  if (count_ >= 32) flush_bits();
}

void DeflateWriter::flush_bits() {
  while (count_ >= 8) {
    if (at_ < out_.size()) {
      out_[at_] = static_cast<unsigned char>(bits_);
    } else {
      full_ = true;
    }
    ++at_;
    bits_ >>= 8;
    count_ -= 8;
  }
}

void DeflateWriter::pad() {
  flush_bits();
  if (count_ > 0) put(0, 8 - count_);
  flush_bits();
}

void DeflateWriter::stored(std::span<const unsigned char> bytes, bool final) {
  constexpr size_t kMax = 65535;
  size_t at = 0;
  do {
    const size_t len = std::min(kMax, bytes.size() - at);
    put(final && at + len == bytes.size() ? 1 : 0, 1);  // BFINAL
    put(0, 2);                                          // BTYPE 00
    pad();
    const auto n = static_cast<uint16_t>(len), inverse = static_cast<uint16_t>(~n);
    put(n, 16);
    put(inverse, 16);
    flush_bits();
    if (at_ + len <= out_.size()) {
      std::memcpy(out_.data() + at_, bytes.data() + at, len);
    } else {
      full_ = true;
    }
    at_ += len;
    at += len;
  } while (at < bytes.size());
}

void DeflateWriter::bytes(std::span<const unsigned char> bytes) {
  if (count_ != 0) throw std::logic_error("DeflateWriter::bytes: not on a byte boundary");
  if (at_ + bytes.size() <= out_.size()) {
    std::memcpy(out_.data() + at_, bytes.data(), bytes.size());
  } else {
    full_ = true;
  }
  at_ += bytes.size();
}

void DeflateWriter::align() {
  put(0, 3);  // BFINAL 0, BTYPE 00
  pad();
  put(0xffff0000u, 32);  // LEN 0, NLEN 0xffff
  flush_bits();
}

void DeflateWriter::dynamic_header(std::span<const uint8_t> lengths, bool final) {
  // The code lengths, each sent as itself (code length symbols 0..15, no repeat codes), then the one
  // distance code's: 1 (RFC 1951 3.2.7: a single distance code is coded with one bit).
  std::array<uint32_t, 19> length_frequency{};
  for (uint8_t len : lengths) ++length_frequency[len];
  ++length_frequency[1];
  std::array<uint8_t, 19> length_length{};
  huffman_lengths(length_frequency, 7, length_length);
  std::array<uint16_t, 19> length_code{};
  canonical_codes(length_length, length_code);
  size_t sent = kLengthOrder.size();
  while (sent > 4 && length_length[kLengthOrder[sent - 1]] == 0) --sent;

  put(final ? 1 : 0, 1);
  put(2, 2);                     // BTYPE 10: dynamic Huffman codes
  put(lengths.size() - 257, 5);  // HLIT
  put(0, 5);                     // HDIST: one distance code
  put(sent - 4, 4);              // HCLEN
  for (size_t i = 0; i < sent; ++i) put(length_length[kLengthOrder[i]], 3);
  for (uint8_t len : lengths) put(length_code[len], length_length[len]);
  put(length_code[1], length_length[1]);
}

void DeflateWriter::literals(std::span<const unsigned char> bytes, const ByteCounts& counts, bool final) {
  // The literal code: each byte's count and one end of block; no distance code is used.
  std::array<uint32_t, kLiteralCodes> frequency{};
  std::copy(counts.begin(), counts.end(), frequency.begin());
  frequency[kEndOfBlock] = 1;
  std::array<uint8_t, kLiteralCodes> length{};
  huffman_lengths(frequency, 15, length);
  std::array<uint16_t, kLiteralCodes> code{};
  canonical_codes(length, code);
  dynamic_header(length, final);
  // The bytes: a code of at most 15 bits each, onto fewer than 32 bits held.
  std::array<uint32_t, 256> byte_bits{};
  std::array<uint8_t, 256> byte_count{};
  std::copy(code.begin(), code.begin() + 256, byte_bits.begin());
  std::copy(length.begin(), length.begin() + 256, byte_count.begin());
  emit(bytes.data(), bytes.size(), byte_bits.data(), byte_count.data());
  put(code[kEndOfBlock], length[kEndOfBlock]);
  if (final) pad();
}

void tokens_of_runs(std::span<const unsigned char> bytes, RunTokens& out) {
  out.frequency.fill(0);
  out.frequency[kEndOfBlock] = 1;
  const size_t n = bytes.size();
  out.tokens.resize(n);  // (at most a token a byte)
  uint16_t* t = out.tokens.data();
  uint32_t* frequency = out.frequency.data();
  const unsigned char* p = bytes.data();
  for (size_t i = 0; i < n;) {
    const unsigned char b = p[i];
    size_t j = i + 1;
    if constexpr (std::endian::native == std::endian::little) {
      // Eight bytes at a time: the first that differs is the lowest nonzero byte of their XOR with b's.
      const uint64_t pattern = 0x0101010101010101ull * b;
      for (; j + 8 <= n; j += 8) {
        uint64_t word = 0;
        std::memcpy(&word, p + j, 8);
        if (const uint64_t x = word ^ pattern; x != 0) {
          j += static_cast<size_t>(std::countr_zero(x)) / 8;
          goto run_ends;
        }
      }
    }
    while (j < n && p[j] == b) ++j;
  run_ends:
    *t++ = b;
    ++frequency[b];
    size_t left = j - i - 1;
    while (left >= kMinCopy) {
      // 258 at most, leaving none or at least 3 (a copy of 1 or 2 does not exist).
      const size_t len = left <= kMaxCopy ? left : left - kMaxCopy < kMinCopy ? left - kMinCopy : kMaxCopy;
      *t++ = static_cast<uint16_t>(256 + len - kMinCopy);
      ++frequency[257 + kLengthIndex[len]];
      left -= len;
    }
    for (; left > 0; --left) {
      *t++ = b;
      ++frequency[b];
    }
    i = j;
  }
  out.tokens.resize(static_cast<size_t>(t - out.tokens.data()));
}

uint64_t runs_bits(const RunTokens& runs) {
  std::array<uint8_t, kLengthSymbols> length{};
  huffman_lengths(runs.frequency, 15, length);
  uint64_t bits = 0;
  for (size_t s = 0; s < kLengthSymbols; ++s) {
    const uint64_t extra = s > kEndOfBlock ? kLengthExtra[s - 257] + 1u : 0u;  // (and the distance's bit)
    bits += runs.frequency[s] * (length[s] + extra);
  }
  return bits;
}

void DeflateWriter::runs(const RunTokens& runs, bool final) {
  std::array<uint8_t, kLengthSymbols> length{};
  huffman_lengths(runs.frequency, 15, length);
  std::array<uint16_t, kLengthSymbols> code{};
  canonical_codes(length, code);
  size_t sent = kLengthSymbols;  // the literal/length code up to its last symbol used (257 at least)
  while (sent > kLiteralCodes && length[sent - 1] == 0) --sent;
  dynamic_header(std::span<const uint8_t>(length).first(sent), final);
  // Each token's bits: a literal's code, or a length's code, its extra bits and the distance's one bit (0,
  // the lone distance code's); 21 bits at most, onto fewer than 32 held.
  std::array<uint32_t, 512> token_bits{};
  std::array<uint8_t, 512> token_count{};
  for (size_t b = 0; b < 256; ++b) {
    token_bits[b] = code[b];
    token_count[b] = length[b];
  }
  for (size_t len = kMinCopy; len <= kMaxCopy; ++len) {
    const size_t k = kLengthIndex[len], symbol = 257 + k, token = 256 + len - kMinCopy;
    if (length[symbol] == 0) continue;
    token_bits[token] = code[symbol] | static_cast<uint32_t>(len - kLengthBase[k]) << length[symbol];
    token_count[token] = static_cast<uint8_t>(length[symbol] + kLengthExtra[k] + 1);
  }
  emit(runs.tokens.data(), runs.tokens.size(), token_bits.data(), token_count.data());
  put(code[kEndOfBlock], length[kEndOfBlock]);
  if (final) pad();
}

template <typename Symbol>
void DeflateWriter::emit(const Symbol* symbols, size_t n, const uint32_t* bits, const uint8_t* count) {
  // The accumulator and the place in locals: the bytes stored below may alias the writer's members, which
  // the compiler would otherwise reload and store at every symbol. Up to 21 bits a symbol onto fewer than 32
  // held; 32 out at a time, as one little-endian word.
  uint64_t held = bits_;
  unsigned held_count = count_;
  size_t at = at_;
  unsigned char* out = out_.data();
  const size_t room = out_.size();
  bool full = false;
  for (size_t i = 0; i < n; ++i) {
    held |= static_cast<uint64_t>(bits[symbols[i]]) << held_count;
    held_count += count[symbols[i]];
    if (held_count >= 32) {
      if (at + 4 <= room) {
        const auto word = static_cast<uint32_t>(held);
        if constexpr (std::endian::native == std::endian::little) {
          std::memcpy(out + at, &word, 4);
        } else {
          for (unsigned k = 0; k < 4; ++k) out[at + k] = static_cast<unsigned char>(word >> (8 * k));
        }
      } else {
        full = true;
      }
      at += 4;
      held >>= 32;
      held_count -= 32;
    }
  }
  bits_ = held;
  count_ = held_count;
  at_ = at;
  full_ = full_ || full;
}

}  // namespace citytwin::output::h5
