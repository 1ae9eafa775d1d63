// Deflate (RFC 1951) written a piece at a time, for the trace's chunks (chunk_deflate.cpp): stored blocks,
// blocks that code bytes as literals alone with a Huffman code made for their own frequencies (the
// "Huffman only" of zlib's Z_HUFFMAN_ONLY strategy), and blocks of runs, copies of the byte before only
// (zlib's Z_RLE strategy does the same), without the search for repeated strings that costs libdeflate
// ~7 ns a byte (~2.5 on long runs). A shuffled chunk's low byte planes that are not pure noise (a time's low
// bytes where a third of the rows are NaN, a signal level's middle byte) gain little from that search: coded
// as literals they take ~1-2.5 ns a byte and come out no larger (bench/RESULTS.md, "Byte planes coded as
// literals"); a plane of long runs (a column constant over the chunk, a time's upper bytes) takes ~0.2-0.7 ns
// a byte as runs ("Constant planes coded as runs"). The stream stays the deflate format that zlib's inflate
// (HDF5's filter) reads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace citytwin::output::h5 {

// Byte counts of a byte plane: counts[b] is how many of its bytes are b.
using ByteCounts = std::array<uint32_t, 256>;
ByteCounts count_bytes(std::span<const unsigned char> bytes);

// Huffman code lengths for symbols of these frequencies, none longer than max_bits (symbols of frequency 0
// get 0; a lone symbol gets 1): optimal, unless the optimal code is longer than max_bits, when the
// frequencies are halved (a nonzero one staying nonzero) until it is not. max_bits >= 1; at most 2^max_bits
// symbols may have a nonzero frequency.
void huffman_lengths(std::span<const uint32_t> frequencies, unsigned max_bits, std::span<uint8_t> lengths);

// A byte plane as runs (for DeflateWriter::runs): each run of one byte value is that byte as a literal, then,
// while at least 3 of it are left, a copy of the byte before (distance 1) of up to 258 bytes, the rest as
// literals. tokens: a literal b as b, a copy of length L as 256 + L - 3; frequency: of the block's
// literal/length symbols (RFC 1951 3.2.5: 0..255 the bytes, 256 the end of block, 257..285 the lengths).
// A plane of long runs (the upper bytes of a time, a column constant over the chunk) takes a few symbols a
// run; a plane without runs, a symbol a byte, as literals. The copies refer only to the run's own literal,
// so the block needs nothing before it.
struct RunTokens {
  std::array<uint32_t, 286> frequency{};
  std::vector<uint16_t> tokens;
};
void tokens_of_runs(std::span<const unsigned char> bytes, RunTokens& out);
// What DeflateWriter::runs will write for these tokens, in bits, its block's header left out.
uint64_t runs_bits(const RunTokens& runs);

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
  // One block with dynamic Huffman codes of a plane's runs (tokens_of_runs), copies included; BFINAL with
  // `final`.
  void runs(const RunTokens& runs, bool final);
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
  // A dynamic block's header for these literal/length code lengths (257..286 of them) and one distance code
  // (distance 1) of one bit.
  void dynamic_header(std::span<const uint8_t> lengths, bool final);
  void put(uint64_t bits, unsigned count);
  void flush_bits();  // whole bytes out of the accumulator
  // The codes of these symbols (bits[s], count[s] bits each, 21 at most) into the stream: the blocks' loop.
  template <typename Symbol>
  void emit(const Symbol* symbols, size_t n, const uint32_t* bits, const uint8_t* count);
  void pad();  // the partial byte out, zero-filled
  std::span<unsigned char> out_;
  size_t at_ = 0;
  uint64_t bits_ = 0;
  unsigned count_ = 0;
  bool full_ = false;
};

}  // namespace citytwin::output::h5
