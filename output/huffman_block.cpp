#include "output/huffman_block.hpp"

#include <algorithm>
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
template <size_t N>
std::array<uint16_t, N> canonical_codes(const std::array<uint8_t, N>& lengths) {
  std::array<uint16_t, 17> count{}, next{};
  for (uint8_t len : lengths) ++count[len];
  count[0] = 0;
  uint16_t code = 0;
  for (size_t bits = 1; bits <= 16; ++bits) {
    code = static_cast<uint16_t>((code + count[bits - 1]) << 1);
    next[bits] = code;
  }
  std::array<uint16_t, N> codes{};
  for (size_t s = 0; s < N; ++s) {
    const unsigned len = lengths[s];
    if (len == 0) continue;
    const uint16_t c = next[len]++;
    uint16_t reversed = 0;
    for (unsigned i = 0; i < len; ++i)
      reversed = static_cast<uint16_t>(reversed | (((c >> i) & 1u) << (len - 1 - i)));
    codes[s] = reversed;
  }
  return codes;
}

constexpr size_t kLiteralCodes = 257;  // the bytes and the end of block (HLIT 0: no lengths coded)
constexpr unsigned kEndOfBlock = 256;
// The order in which a dynamic block gives the code length code's lengths (RFC 1951 3.2.7).
constexpr std::array<uint8_t, 19> kLengthOrder = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                  11, 4,  12, 3, 13, 2, 14, 1, 15};

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

void DeflateWriter::literals(std::span<const unsigned char> bytes, const ByteCounts& counts, bool final) {
  // The literal code: each byte's count and one end of block.
  std::array<uint32_t, kLiteralCodes> frequency{};
  std::copy(counts.begin(), counts.end(), frequency.begin());
  frequency[kEndOfBlock] = 1;
  std::array<uint8_t, kLiteralCodes> length{};
  huffman_lengths(frequency, 15, length);
  const std::array<uint16_t, kLiteralCodes> code = canonical_codes(length);
  // The code lengths, each sent as itself (code length symbols 0..15, no repeat codes), then the one
  // distance code's: 1 (RFC 1951 3.2.7: a single distance code is coded with one bit; none is used).
  std::array<uint32_t, 19> length_frequency{};
  for (uint8_t len : length) ++length_frequency[len];
  ++length_frequency[1];
  std::array<uint8_t, 19> length_length{};
  huffman_lengths(length_frequency, 7, length_length);
  const std::array<uint16_t, 19> length_code = canonical_codes(length_length);
  size_t sent = kLengthOrder.size();
  while (sent > 4 && length_length[kLengthOrder[sent - 1]] == 0) --sent;

  put(final ? 1 : 0, 1);
  put(2, 2);                    // BTYPE 10: dynamic Huffman codes
  put(kLiteralCodes - 257, 5);  // HLIT
  put(0, 5);                    // HDIST: one distance code
  put(sent - 4, 4);             // HCLEN
  for (size_t i = 0; i < sent; ++i) put(length_length[kLengthOrder[i]], 3);
  for (uint8_t len : length) put(length_code[len], length_length[len]);
  put(length_code[1], length_length[1]);
  // The bytes: a code of at most 15 bits each, onto fewer than 32 bits held.
  const unsigned char* b = bytes.data();
  for (size_t i = 0; i < bytes.size(); ++i) {
    bits_ |= static_cast<uint64_t>(code[b[i]]) << count_;
    count_ += length[b[i]];
    if (count_ >= 32) {
      if (at_ + 4 <= out_.size()) {
        for (unsigned k = 0; k < 4; ++k) out_[at_ + k] = static_cast<unsigned char>(bits_ >> (8 * k));
      } else {
        full_ = true;
      }
      at_ += 4;
      bits_ >>= 32;
      count_ -= 32;
    }
  }
  put(code[kEndOfBlock], length[kEndOfBlock]);
  if (final) pad();
}

}  // namespace citytwin::output::h5
