#include "output/chunk_deflate.hpp"

#include <libdeflate.h>

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

// One thread's compressor (for the last level asked) and buffers: the writer thread filters the
// /messages chunks one after another, so they are reused chunk after chunk.
struct Scratch {
  std::unique_ptr<libdeflate_compressor, FreeCompressor> compressor;
  unsigned level = 0;
  std::vector<unsigned char> shuffled;
  std::vector<unsigned char> out;

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

FilteredChunk filter_chunk(std::span<const unsigned char> raw, size_t element_size, bool shuffle,
                           unsigned level) {
  if (level < 1 || level > 9)
    throw std::invalid_argument("deflate level " + std::to_string(level) + " (expected 1..9)");
  thread_local Scratch scratch;
  std::span<const unsigned char> input = raw;
  if (shuffle) {
    scratch.shuffled.resize(raw.size());
    shuffle_bytes(raw, element_size, scratch.shuffled.data());
    input = scratch.shuffled;
  }
  libdeflate_compressor* compressor = scratch.at(level);
  // At most the chunk's own size, as HDF5's deflate filter: a chunk that deflate would not shrink is
  // stored as it is, its deflate bit set in the mask.
  scratch.out.resize(raw.size());
  const size_t size = libdeflate_zlib_compress(compressor, input.data(), input.size(), scratch.out.data(),
                                               scratch.out.size());
  const uint32_t deflate_bit = shuffle ? 0b10u : 0b1u;
  if (size == 0) return {input, deflate_bit};
  return {{scratch.out.data(), size}, 0};
}

}  // namespace citytwin::output::h5
