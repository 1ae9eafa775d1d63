// Deflate (RFC 1951) written a piece at a time, for the trace's chunks (chunk_deflate.cpp): stored blocks,
// and blocks that code bytes as literals alone with a Huffman code made for their own frequencies (the
// "Huffman only" of zlib's Z_HUFFMAN_ONLY strategy), without the search for repeated strings that costs
// libdeflate ~7 ns a byte. A shuffled chunk's low byte planes that are not pure noise (a time's low bytes
// where a third of the rows are NaN, a signal level's middle byte) gain little from that search: coded
// this way they take ~1-2 ns a byte and come out no larger (bench/RESULTS.md, "Byte planes coded as
// literals"). The stream stays the deflate format that zlib's inflate (HDF5's filter) reads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace citytwin::output::h5 {

// Byte counts of a byte plane: counts[b] is how many of its bytes are b.
using ByteCounts = std::array<uint32_t, 256>;
ByteCounts count_bytes(std::span<const unsigned char> bytes);

// Huffman code lengths for symbols of these frequencies, none longer than max_bits (symbols of frequency 0
// get 0; a lone symbol gets 1): optimal, unless the optimal code is longer than max_bits, when the
// frequencies are halved (a nonzero one staying nonzero) until it is not. max_bits >= 1; at most 2^max_bits
// symbols may have a nonzero frequency.
void huffman_lengths(std::span<const uint32_t> frequencies, unsigned max_bits, std::span<uint8_t> lengths);

// Bits into a buffer, least significant first (RFC 1951 3.1.1). Writing past the end is not done: the
// writer marks itself full and keeps counting, and the caller looks at full() at the end.
class DeflateWriter {
 public:
  explicit DeflateWriter(std::span<unsigned char> out) : out_(out) {}
  // Stored blocks (BTYPE 00) of these bytes, 65,535 bytes a block at most; BFINAL on the last with `final`.
  void stored(std::span<const unsigned char> bytes, bool final);
  // One block with dynamic Huffman codes (BTYPE 10) of `bytes` as literals, from their counts (count_bytes);
  // BFINAL with `final`.
  void literals(std::span<const unsigned char> bytes, const ByteCounts& counts, bool final);
  // An empty stored block that is not the last: the stream so far ends on a byte boundary (zlib's sync
  // flush), and another deflate stream's blocks can follow it as they are.
  void align();
  // The bytes written (the last partial byte included once the stream is aligned or final), counted on
  // past the end of the buffer; full(): some did not fit, and the stream is not whole.
  size_t size() const { return at_; }
  bool full() const { return full_ || at_ > out_.size(); }
  // Whole bytes, as they are (the stream on a byte boundary: after align() or a stored block).
  void bytes(std::span<const unsigned char> bytes);
  // Room left, and a place to write it (on a byte boundary): written(n) then counts what was put there.
  std::span<unsigned char> room() { return full() ? std::span<unsigned char>{} : out_.subspan(at_); }
  void written(size_t n) { at_ += n; }

 private:
  void put(uint64_t bits, unsigned count);
  void flush_bits();  // whole bytes out of the accumulator
  void pad();         // the partial byte out, zero-filled
  std::span<unsigned char> out_;
  size_t at_ = 0;
  uint64_t bits_ = 0;
  unsigned count_ = 0;
  bool full_ = false;
};

}  // namespace citytwin::output::h5
