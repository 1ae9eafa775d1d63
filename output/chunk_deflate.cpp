#include "output/chunk_deflate.hpp"

#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>

namespace citytwin::output::h5 {
namespace {

struct FreeCompressor {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};

// A chunk of one value repeated (a column that does not change over 65,536 rows: the radio, the transmit
// power, retransmissions and failures in most runs), filtered once: the same column gives the same chunk
// chunk after chunk, and libdeflate spent ~3 ns a byte on each (bench/RESULTS.md, twenty-ninth session).
struct ConstantChunk {
  std::array<unsigned char, 16> element{};
  size_t element_size = 0, size = 0;
  bool shuffle = false;
  unsigned level = 0;
  std::vector<unsigned char> bytes;
  uint32_t filter_mask = 0;

  bool is(std::span<const unsigned char> raw, size_t es, bool shuf, unsigned lvl) const {
    return element_size == es && size == raw.size() && shuffle == shuf && level == lvl &&
           std::equal(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(es), element.begin());
  }
};
constexpr size_t kConstantChunks = 32;  // (the trace's columns: 16 in /messages)

// One thread's compressor (for the last level asked) and buffers: the writer thread filters the
// /messages chunks one after another, so they are reused chunk after chunk.
struct Scratch {
  std::vector<ConstantChunk> constants;  // the last kConstantChunks filtered, oldest first
  std::unique_ptr<libdeflate_compressor, FreeCompressor> compressor;
  unsigned level = 0;
  std::vector<unsigned char> shuffled;
  std::vector<unsigned char> out;
  std::vector<unsigned char> probe;  // filter_chunk's noise test

  libdeflate_compressor* at(unsigned wanted) {
    if (!compressor || level != wanted) {
      compressor.reset(libdeflate_alloc_compressor(static_cast<int>(wanted)));
      if (!compressor) throw std::bad_alloc();
      level = wanted;
    }
    return compressor.get();
  }
};

}  // namespace

void shuffle_bytes(std::span<const unsigned char> raw, size_t element_size, unsigned char* out) {
  const size_t n = element_size == 0 ? 0 : raw.size() / element_size;
  if (element_size <= 1 || n <= 1) {  // as HDF5: nothing to regroup
    std::memcpy(out, raw.data(), raw.size());
    return;
  }
  // Byte j of element i to j * n + i; the bytes after the last whole element stay at the end.
  const unsigned char* in = raw.data();
  for (size_t j = 0; j < element_size; ++j) {
    unsigned char* plane = out + j * n;
    for (size_t i = 0; i < n; ++i) plane[i] = in[i * element_size + j];
  }
  std::memcpy(out + n * element_size, in + n * element_size, raw.size() - n * element_size);
}

namespace {

// Whether a byte plane of the shuffled chunk is noise that deflate cannot shrink, from four slices of it
// (kNoiseSlice bytes at its start and at a quarter, a half and three quarters of it). Three tests, the
// cheap ones first: its bytes about equally frequent (at least kNoiseBits bits a byte: Huffman codes would
// save at most 1.25 % of it), few equal to the one before (a slow drift, such as the upper bytes of a time,
// has a nearly uniform histogram over a chunk but long runs), and the middle slice not shrunk by 2 % by
// libdeflate (repeats further apart, such as a counter's low byte, which cycles through every value).
// The low bytes of the trace's times, battery levels, device ids and signal levels are such noise:
// deflate spent ~40 % of its time on them for nothing (bench/RESULTS.md, twenty-ninth session). A plane
// taken for noise that is not costs only its compression, never its bytes.
constexpr double kNoiseBits = 7.9;
constexpr size_t kNoiseSlice = 4096;
bool is_noise(std::span<const unsigned char> plane, libdeflate_compressor* compressor,
              std::vector<unsigned char>& probe_out) {
  const size_t n = plane.size();
  if (n < 4 * kNoiseSlice) return false;
  std::array<uint32_t, 256> count{};
  size_t repeats = 0;
  for (size_t slice = 0; slice < 4; ++slice) {
    const unsigned char* b = plane.data() + slice * (n / 4);
    count[b[0]]++;
    for (size_t i = 1; i < kNoiseSlice; ++i) {
      count[b[i]]++;
      repeats += b[i] == b[i - 1];
    }
  }
  constexpr size_t sampled = 4 * kNoiseSlice;
  if (repeats * 256 > 2 * sampled) return false;  // twice what uniform noise has
  double sum = 0.0;                               // sum of c log2 c
  for (uint32_t c : count)
    if (c > 0) sum += static_cast<double>(c) * std::log2(static_cast<double>(c));
  const double bits = std::log2(static_cast<double>(sampled)) - sum / static_cast<double>(sampled);
  if (bits < kNoiseBits) return false;
  probe_out.resize(kNoiseSlice);
  const size_t size = libdeflate_deflate_compress(compressor, plane.data() + n / 2, kNoiseSlice,
                                                  probe_out.data(), kNoiseSlice * 98 / 100);
  return size == 0;  // (0: it did not fit in 98 % of the slice)
}

// A zlib stream (RFC 1950) of `input` whose first `stored` bytes go in stored blocks (RFC 1951 3.2.4: a
// byte of header, LEN and NLEN, then the bytes as they are) and the rest through libdeflate. A stored
// block ends on a byte boundary, so libdeflate's raw deflate stream, which ends with the final block,
// follows it as it is. 0 when it would not fit in `out`.
size_t zlib_with_stored_prefix(libdeflate_compressor* compressor, std::span<const unsigned char> input,
                               size_t stored, std::span<unsigned char> out) {
  constexpr size_t kStoredMax = 65535;
  const size_t blocks = (stored + kStoredMax - 1) / kStoredMax;
  const size_t rest = input.size() - stored;
  const size_t fixed = 2 + blocks * 5 + stored + 4;
  if (fixed >= out.size()) return 0;
  unsigned char* p = out.data();
  *p++ = 0x78;  // CMF: deflate, 32 KiB window
  *p++ = 0x01;  // FLG: FLEVEL 0, no dictionary; (0x78 * 256 + 0x01) % 31 == 0 (FLEVEL is informational only,
                // RFC 1950 2.2: libdeflate writes 0 at level 1, the default, and inflate ignores it)
  for (size_t at = 0; at < stored; at += kStoredMax) {
    const auto len = static_cast<uint16_t>(std::min(kStoredMax, stored - at));
    *p++ = (rest == 0 && at + len == stored) ? 0x01 : 0x00;  // BFINAL on the last block of the stream
    const uint16_t nlen = static_cast<uint16_t>(~len);
    *p++ = static_cast<unsigned char>(len & 0xff);
    *p++ = static_cast<unsigned char>(len >> 8);
    *p++ = static_cast<unsigned char>(nlen & 0xff);
    *p++ = static_cast<unsigned char>(nlen >> 8);
    std::memcpy(p, input.data() + at, len);
    p += len;
  }
  if (rest > 0) {
    const size_t room = static_cast<size_t>(out.data() + out.size() - p) - 4;
    const size_t size = libdeflate_deflate_compress(compressor, input.data() + stored, rest, p, room);
    if (size == 0) return 0;
    p += size;
  }
  const uint32_t adler = libdeflate_adler32(1, input.data(), input.size());
  for (int shift = 24; shift >= 0; shift -= 8) *p++ = static_cast<unsigned char>(adler >> shift);
  return static_cast<size_t>(p - out.data());
}

FilteredChunk filter_anew(Scratch& scratch, std::span<const unsigned char> raw, size_t element_size,
                          bool shuffle, unsigned level) {
  libdeflate_compressor* compressor = scratch.at(level);
  std::span<const unsigned char> input = raw;
  // The leading byte planes that are noise (the low bytes, little-endian), shuffled: stored, not deflated.
  size_t stored = 0;
  if (shuffle) {
    scratch.shuffled.resize(raw.size());
    shuffle_bytes(raw, element_size, scratch.shuffled.data());
    input = scratch.shuffled;
    const size_t n = element_size > 1 ? raw.size() / element_size : 0;
    for (size_t j = 0;
         j < element_size && n > 0 && is_noise(input.subspan(j * n, n), compressor, scratch.probe); ++j)
      stored += n;
  }
  // At most the chunk's own size, as HDF5's deflate filter: a chunk that deflate would not shrink is
  // stored as it is, its deflate bit set in the mask.
  scratch.out.resize(raw.size());
  const size_t size = stored > 0 ? zlib_with_stored_prefix(compressor, input, stored, scratch.out)
                                 : libdeflate_zlib_compress(compressor, input.data(), input.size(),
                                                            scratch.out.data(), scratch.out.size());
  const uint32_t deflate_bit = shuffle ? 0b10u : 0b1u;
  if (size == 0) return {input, deflate_bit};
  return {{scratch.out.data(), size}, 0};
}

}  // namespace

FilteredChunk filter_chunk(std::span<const unsigned char> raw, size_t element_size, bool shuffle,
                           unsigned level) {
  if (level < 1 || level > 9)
    throw std::invalid_argument("deflate level " + std::to_string(level) + " (expected 1..9)");
  thread_local Scratch scratch;
  const bool constant = element_size > 0 && element_size <= 16 && raw.size() >= 2 * element_size &&
                        raw.size() % element_size == 0 &&
                        std::memcmp(raw.data(), raw.data() + element_size, raw.size() - element_size) == 0;
  if (constant)
    for (const ConstantChunk& c : scratch.constants)
      if (c.is(raw, element_size, shuffle, level)) return {c.bytes, c.filter_mask};
  const FilteredChunk filtered = filter_anew(scratch, raw, element_size, shuffle, level);
  if (!constant) return filtered;
  if (scratch.constants.size() == kConstantChunks) scratch.constants.erase(scratch.constants.begin());
  ConstantChunk& c = scratch.constants.emplace_back();
  std::copy(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(element_size), c.element.begin());
  c.element_size = element_size;
  c.size = raw.size();
  c.shuffle = shuffle;
  c.level = level;
  c.bytes.assign(filtered.bytes.begin(), filtered.bytes.end());
  c.filter_mask = filtered.filter_mask;
  return {c.bytes, c.filter_mask};
}

}  // namespace citytwin::output::h5
