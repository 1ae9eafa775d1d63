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

#include "output/huffman_block.hpp"

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

// How a byte plane of the shuffled chunk is coded: stored as it is (noise), as literals with a Huffman code
// of its own (DeflateWriter::literals), as its runs (DeflateWriter::runs), or through libdeflate (matched:
// its repeated strings found).
enum class Coding { Stored, Literals, Runs, Matched };

// One thread's compressor (for the last level asked) and buffers: the writer thread filters the
// /messages chunks one after another, so they are reused chunk after chunk.
struct Scratch {
  std::vector<ConstantChunk> constants;  // the last kConstantChunks filtered, oldest first
  std::unique_ptr<libdeflate_compressor, FreeCompressor> compressor;
  unsigned level = 0;
  std::vector<unsigned char> shuffled;
  std::vector<unsigned char> out;
  std::vector<unsigned char> probe;  // filter_chunk's noise test
  RunTokens runs;                    // a plane's runs (coding_of's test, then a plane coded as runs)
  std::vector<Coding> codings;       // the shuffled chunk's planes', up to the first matched one

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

// A plane's coding, from four slices of it (kNoiseSlice bytes at its start and at a quarter, a half and three
// quarters of it).
// Stored, where three tests say it is noise that deflate cannot shrink, the cheap ones first: its bytes about
// equally frequent (at least kNoiseBits bits a byte: Huffman codes would save at most 1.25 % of it), few
// equal to the one before (a slow drift, such as the upper bytes of a time, has a nearly uniform histogram
// over a chunk but long runs), and the middle slice not shrunk by 2 % by libdeflate (repeats further apart,
// such as a counter's low byte, which cycles through every value). The low bytes of the trace's times,
// battery levels, device ids and signal levels are such noise: deflate spent ~40 % of its time on them for
// nothing (bench/RESULTS.md, twenty-ninth session). A plane taken for noise that is not costs only its
// compression, never its bytes.
// Literals (with `literals`), where its bytes look drawn one by one: a byte equal to the one before about as
// often as two bytes drawn independently from its histogram are equal (at most kLiteralRepeats times), and
// no value so common that a code of at least a bit a byte would waste it (that chance at most
// kLiteralSameChance), and libdeflate does not take the middle slice under 97 % of what a code of its
// bytes' own frequencies would (a pattern with a period, such as a small city's device ids in the order they
// report). Deflate's search for repeated strings then finds little beyond what the byte frequencies give,
// at ~7 ns a byte: the low bytes of a time with a third of the rows NaN, a signal level's middle byte, a
// channel's bytes, gateways heard (bench/RESULTS.md, "Byte planes coded as literals").
// Runs (with `literals` too), where a byte equals the one before at least kRunsRepeats of the time (runs ~10
// bytes long or more): each run of a value coded as the value and copies of the byte before
// (tokens_of_runs), ~0.2-0.7 ns a byte where libdeflate takes ~2.5, unless libdeflate takes the middle slice
// under 97 % of what its block of runs would. A plane whose runs code the middle slice in under 1 % of its
// bytes (a column constant over the chunk, the upper bytes of a time) is not tried with libdeflate: it could
// save less than that. Shorter runs are left to deflate: coded as runs their planes came out up to 45 %
// larger, for no less time (bench/RESULTS.md, "Constant planes coded as runs").
// Matched otherwise (a value so common, or runs so frequent, that literals would waste bits), and for a
// plane of high entropy that is not noise (a code of its byte frequencies would save next to nothing, its
// strings repeat: a counter's low byte).
constexpr double kNoiseBits = 7.9;
constexpr size_t kNoiseSlice = 4096;
constexpr double kLiteralRepeats = 1.6;
constexpr double kLiteralSameChance = 0.7;
constexpr double kRunsRepeats = 0.9;        // a byte equal to the one before: runs ~10 bytes long on average
constexpr double kDeflateGain = 0.97;       // what libdeflate's probe must reach of the slice's own code
constexpr unsigned kLiteralsUpToLevel = 3;  // the fast levels; above, deflate's search is what was asked for
Coding coding_of(std::span<const unsigned char> plane, libdeflate_compressor* compressor,
                 std::vector<unsigned char>& probe_out, RunTokens& runs, bool literals) {
  const size_t n = plane.size();
  if (n < 4 * kNoiseSlice) return Coding::Matched;
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
  double sum = 0.0, same = 0.0;  // sum of c log2 c; the chance that two bytes drawn are equal
  for (uint32_t c : count)
    if (c > 0) {
      const auto x = static_cast<double>(c);
      sum += x * std::log2(x);
      same += (x / sampled) * (x / sampled);
    }
  const double bits = std::log2(static_cast<double>(sampled)) - sum / static_cast<double>(sampled);
  const std::span<const unsigned char> middle = plane.subspan(n / 2, kNoiseSlice);
  const auto fits = [&](size_t limit) {  // whether libdeflate takes the middle slice to at most `limit` bytes
    probe_out.resize(kNoiseSlice);
    return libdeflate_deflate_compress(compressor, middle.data(), kNoiseSlice, probe_out.data(), limit) != 0;
  };
  if (repeats * 256 <= 2 * sampled && bits >= kNoiseBits)  // (repeats: twice what uniform noise has)
    return fits(kNoiseSlice * 98 / 100) ? Coding::Matched : Coding::Stored;
  if (!literals) return Coding::Matched;
  const double repeat_chance = static_cast<double>(repeats) / static_cast<double>(sampled - 4);
  if (repeat_chance >= kRunsRepeats) {
    tokens_of_runs(middle, runs);
    if ((runs_bits(runs) + 7) / 8 * 100 < kNoiseSlice) return Coding::Runs;
    probe_out.resize(kNoiseSlice + kNoiseSlice / 2);  // (the slice's block, its header included)
    DeflateWriter block(probe_out);
    block.runs(runs, true);
    return fits(static_cast<size_t>(kDeflateGain * static_cast<double>(block.size()))) ? Coding::Matched
                                                                                       : Coding::Runs;
  }
  if (same > kLiteralSameChance || repeat_chance > kLiteralRepeats * same) return Coding::Matched;
  // Strings repeated further apart than the byte before (a pattern with a period): deflate takes the middle
  // slice under 97 % of what its bytes' own code would.
  return fits(static_cast<size_t>(kDeflateGain * std::max(bits, 1.0) / 8.0 * kNoiseSlice)) ? Coding::Matched
                                                                                           : Coding::Literals;
}

FilteredChunk filter_anew(Scratch& scratch, std::span<const unsigned char> raw, size_t element_size,
                          bool shuffle, unsigned level) {
  libdeflate_compressor* compressor = scratch.at(level);
  const uint32_t deflate_bit = shuffle ? 0b10u : 0b1u;
  // At most the chunk's own size, as HDF5's deflate filter: a chunk that deflate would not shrink is
  // stored as it is, its deflate bit set in the mask.
  scratch.out.resize(raw.size());
  // Planes: a shuffled chunk's, or a chunk of bytes as one plane (shuffled or not, the same bytes).
  const size_t n = (shuffle || element_size == 1) && element_size > 0 ? raw.size() / element_size : 0;
  if (n <= 1) {
    const size_t size =
        libdeflate_zlib_compress(compressor, raw.data(), raw.size(), scratch.out.data(), scratch.out.size());
    if (size == 0) return {raw, deflate_bit};
    return {{scratch.out.data(), size}, 0};
  }
  if (element_size > 1) {
    scratch.shuffled.resize(raw.size());
    shuffle_bytes(raw, element_size, scratch.shuffled.data());
  }
  const std::span<const unsigned char> input = element_size > 1 ? scratch.shuffled : raw;
  // The planes' codings up to the first matched one: that plane, the ones after it and the bytes past the
  // last whole element go through libdeflate in one stream, which ends the deflate stream. Literals at the
  // fast levels alone (kLiteralsUpToLevel).
  std::vector<Coding>& codings = scratch.codings;
  codings.clear();
  while (codings.size() < element_size) {
    const Coding c = coding_of(input.subspan(codings.size() * n, n), compressor, scratch.probe, scratch.runs,
                               level <= kLiteralsUpToLevel);
    if (c == Coding::Matched) break;
    codings.push_back(c);
  }
  const size_t ahead = codings.size(), rest = input.size() - ahead * n;
  DeflateWriter out(scratch.out);
  const unsigned char header[2] = {
      0x78,   // CMF: deflate, 32 KiB window
      0x01};  // FLG: FLEVEL 0, no dictionary; (0x78 * 256 + 0x01) % 31 == 0 (FLEVEL is informational only,
              // RFC 1950 2.2: libdeflate writes 0 at level 1, the default, and inflate ignores it)
  out.bytes(header);
  for (size_t j = 0; j < ahead;) {
    size_t k = j + 1;  // planes j .. k - 1 coded alike (stored planes in one run of stored blocks)
    while (k < ahead && codings[k] == codings[j] && codings[j] == Coding::Stored) ++k;
    const bool final = k == ahead && rest == 0;
    const std::span<const unsigned char> planes = input.subspan(j * n, (k - j) * n);
    if (codings[j] == Coding::Stored) {
      out.stored(planes, final);
    } else if (codings[j] == Coding::Literals) {
      out.literals(planes, count_bytes(planes), final);
    } else {
      tokens_of_runs(planes, scratch.runs);
      out.runs(scratch.runs, final);
    }
    if (out.full()) return {input, deflate_bit};
    j = k;
  }
  if (rest > 0) {
    if (ahead > 0) out.align();
    const std::span<unsigned char> room = out.room();
    const size_t size = room.size() <= 4 ? 0
                                         : libdeflate_deflate_compress(compressor, input.data() + ahead * n,
                                                                       rest, room.data(), room.size() - 4);
    if (size == 0) return {input, deflate_bit};
    out.written(size);
  }
  const uint32_t adler = libdeflate_adler32(1, input.data(), input.size());
  const unsigned char trailer[4] = {
      static_cast<unsigned char>(adler >> 24), static_cast<unsigned char>(adler >> 16),
      static_cast<unsigned char>(adler >> 8), static_cast<unsigned char>(adler)};
  out.bytes(trailer);
  if (out.full() || out.size() >= raw.size()) return {input, deflate_bit};
  return {{scratch.out.data(), out.size()}, 0};
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
