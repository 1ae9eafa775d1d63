// A whole chunk filtered as HDF5's shuffle and deflate filters would filter it, but with libdeflate
// (Debian libdeflate-dev) instead of zlib: about twice the speed of zlib's level 1 for a slightly
// smaller output on the message trace (bench/RESULTS.md, "The trace's chunks through libdeflate").
// libdeflate writes the zlib format (RFC 1950) that HDF5's deflate filter reads with zlib's inflate, so
// a chunk written this way (H5Dwrite_chunk, h5::AppendableColumn) reads back in h5py, h5dump or any
// HDF5 reader exactly as one HDF5 filtered itself.
// Three shortcuts, the stored bytes readable as before: the low byte planes of a shuffled chunk that are
// noise (the low bytes of times, levels, ids) go in deflate's stored blocks without libdeflate searching
// them for matches, and a chunk of one value repeated is filtered once per thread and reused (about 0.6 of
// the CPU on the 1 M city's /messages, the same bytes stored; bench/RESULTS.md, twenty-ninth session); at
// levels 1-3, the low planes whose bytes look drawn one by one are coded as literals with a Huffman code of
// their own (huffman_block.hpp): 0.81 of the CPU again on the 100k city's /messages, 1 % smaller
// (bench/RESULTS.md, "Byte planes coded as literals"); planes of long runs (a column constant over the chunk,
// the upper bytes of a time) as their runs, and a chunk of 1-byte elements as one plane: 0.80 of the CPU
// again, 0.3 % smaller (bench/RESULTS.md, "Constant planes coded as runs").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace citytwin::output::h5 {

// The bytes of one filtered chunk and the HDF5 filter mask to store with it: bit i set when filter i
// of the dataset's pipeline was not applied (deflate, when it would not have made the chunk smaller,
// as HDF5 itself skips its optional deflate filter).
struct FilteredChunk {
  std::span<const unsigned char> bytes;  // valid until the next call on the same thread
  uint32_t filter_mask = 0;
};

// Shuffles `raw` (elements of `element_size` bytes; HDF5's shuffle filter: byte j of element i goes to
// j * n + i) when `shuffle`, then deflates it at `level` (1..9, as gzip's levels). The pipeline is
// [shuffle, deflate] with shuffle, [deflate] without. Buffers and the compressor are per thread.
FilteredChunk filter_chunk(std::span<const unsigned char> raw, size_t element_size, bool shuffle,
                           unsigned level);

// HDF5's shuffle alone, for the tests and for filter_chunk.
void shuffle_bytes(std::span<const unsigned char> raw, size_t element_size, unsigned char* out);

}  // namespace citytwin::output::h5
