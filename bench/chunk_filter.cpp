// What filtering the trace's chunks costs (issue 13: the trace's writer thread shares the two cores with the
// simulation): reads each column of a trace's /messages, filters it chunk by chunk (65,536 rows, shuffled
// as the trace stores it) two ways, and prints each column's CPU per row and stored bytes per row:
//   - whole: the shuffled chunk through libdeflate_zlib_compress (the trace's chunks before the twenty-ninth
//     session);
//   - ours: output::h5::filter_chunk (the low byte planes that are noise stored, those whose bytes look drawn
//     one by one coded as literals, from the first plane deflate's search shrinks better on through
//     libdeflate).
// Both are checked to inflate (zlib) to the same shuffled bytes. The CPU is the median of REPEATS passes.
// With --planes, each byte plane of each column instead (shuffled as the trace stores the column), coded
// three ways: libdeflate alone, as runs (DeflateWriter::runs) and as literals (DeflateWriter::literals), each
// one pass: CPU per row and bytes per row, what chunk_deflate.cpp chooses between.
//   build/bin/chunk_filter TRACE.h5 [REPEATS=5] [LEVEL=1]
//   build/bin/chunk_filter --planes TRACE.h5 [LEVEL=1]
#include <hdf5.h>
#include <libdeflate.h>
#include <time.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "output/chunk_deflate.hpp"
#include "output/huffman_block.hpp"

namespace h5 = citytwin::output::h5;

namespace {

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Column {
  std::string name;
  size_t element_size = 0;
  bool shuffle = false;
  std::vector<unsigned char> bytes;  // as stored (little-endian)
};

std::vector<Column> read_messages(const char* path) {
  const hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) {
    std::fprintf(stderr, "chunk_filter: cannot open %s\n", path);
    std::exit(2);
  }
  const hid_t group = H5Gopen2(file, "messages", H5P_DEFAULT);
  if (group < 0) {
    std::fprintf(stderr, "chunk_filter: %s has no /messages\n", path);
    std::exit(2);
  }
  H5G_info_t info{};
  H5Gget_info(group, &info);
  std::vector<Column> columns;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    char name[256];
    if (H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT) < 0)
      continue;
    const hid_t set = H5Dopen2(group, name, H5P_DEFAULT);
    if (set < 0) continue;
    const hid_t type = H5Dget_type(set);
    const hid_t space = H5Dget_space(set);
    const hid_t dcpl = H5Dget_create_plist(set);
    Column c;
    c.name = name;
    c.element_size = H5Tget_size(type);
    for (int f = 0; f < H5Pget_nfilters(dcpl); ++f) {
      unsigned flags = 0;
      size_t n = 0;
      c.shuffle |= H5Pget_filter2(dcpl, static_cast<unsigned>(f), &flags, &n, nullptr, 0, nullptr, nullptr) ==
                   H5Z_FILTER_SHUFFLE;
    }
    c.bytes.resize(static_cast<size_t>(H5Sget_simple_extent_npoints(space)) * c.element_size);
    if (H5Tget_class(type) != H5T_STRING && !c.bytes.empty() &&
        H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, c.bytes.data()) >= 0)
      columns.push_back(std::move(c));
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Tclose(type);
    H5Dclose(set);
  }
  H5Gclose(group);
  H5Fclose(file);
  return columns;
}

bool inflates_to(const unsigned char* z, size_t size, const std::vector<unsigned char>& want) {
  std::vector<unsigned char> out(want.size());
  uLongf n = out.size();
  return uncompress(out.data(), &n, z, size) == Z_OK && n == want.size() && out == want;
}

constexpr size_t kRows = 65536;  // the trace's chunks (output/hdf5_columns.hpp)

// --planes: every plane of every column, three ways.
int planes(const char* path, int level) {
  libdeflate_compressor* compressor = libdeflate_alloc_compressor(level);
  std::printf(
      "| column | plane | libdeflate: ns a row | B a row | runs: ns a row | B a row | literals: ns a row | B "
      "a row |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  h5::RunTokens tokens;
  for (const Column& c : read_messages(path)) {
    const size_t es = c.element_size, chunks = c.bytes.size() / (kRows * es);
    if (chunks == 0) continue;
    std::vector<unsigned char> shuffled(kRows * es), out(2 * kRows + 1024);
    for (size_t j = 0; j < es; ++j) {
      std::array<double, 3> cpu{};
      std::array<size_t, 3> bytes{};
      for (size_t k = 0; k < chunks; ++k) {
        const std::span<const unsigned char> raw(c.bytes.data() + k * kRows * es, kRows * es);
        if (c.shuffle) {
          h5::shuffle_bytes(raw, es, shuffled.data());
        } else {
          std::copy(raw.begin(), raw.end(), shuffled.begin());
        }
        // (unshuffled, a "plane" is every es-th byte's place in the chunk's j-th kRows bytes: cost only)
        const std::span<const unsigned char> plane(shuffled.data() + j * kRows, kRows);
        double t0 = thread_cpu_s();
        bytes[0] +=
            libdeflate_deflate_compress(compressor, plane.data(), plane.size(), out.data(), out.size());
        double t1 = thread_cpu_s();
        h5::tokens_of_runs(plane, tokens);
        h5::DeflateWriter runs(out);
        runs.runs(tokens, true);
        bytes[1] += runs.size();
        double t2 = thread_cpu_s();
        h5::DeflateWriter literals(out);
        literals.literals(plane, h5::count_bytes(plane), true);
        bytes[2] += literals.size();
        const double t3 = thread_cpu_s();
        cpu[0] += t1 - t0;
        cpu[1] += t2 - t1;
        cpu[2] += t3 - t2;
      }
      const auto rows = static_cast<double>(chunks * kRows);
      std::printf("| %s%s | %zu | %.2f | %.3f | %.2f | %.3f | %.2f | %.3f |\n", c.name.c_str(),
                  c.shuffle ? "" : " (not shuffled)", j, 1e9 * cpu[0] / rows,
                  static_cast<double>(bytes[0]) / rows, 1e9 * cpu[1] / rows,
                  static_cast<double>(bytes[1]) / rows, 1e9 * cpu[2] / rows,
                  static_cast<double>(bytes[2]) / rows);
    }
  }
  libdeflate_free_compressor(compressor);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "--planes")
    return planes(argv[2], argc > 3 ? std::atoi(argv[3]) : 1);
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: chunk_filter TRACE.h5 [REPEATS=5] [LEVEL=1] | --planes TRACE.h5 [LEVEL=1]\n");
    return 2;
  }
  const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  const int level = argc > 3 ? std::atoi(argv[3]) : 1;
  const std::vector<Column> columns = read_messages(argv[1]);
  libdeflate_compressor* compressor = libdeflate_alloc_compressor(level);
  double total_whole = 0, total_ours = 0, bytes_whole = 0, bytes_ours = 0;
  size_t rows_all = 0;
  std::printf(
      "| column | bytes a row | whole: ns a row | whole: B a row | ours: ns a row | ours: B a row |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (const Column& c : columns) {
    const size_t chunk_bytes = kRows * c.element_size;
    const size_t chunks = c.bytes.size() / chunk_bytes;  // whole chunks only
    if (chunks == 0) continue;
    const size_t rows = chunks * kRows;
    std::vector<unsigned char> shuffled(chunk_bytes), out(chunk_bytes + 1024);
    std::vector<double> whole_s, ours_s;
    size_t whole_b = 0, ours_b = 0;
    for (int r = 0; r < repeats; ++r) {
      double whole = 0, ours = 0;
      whole_b = ours_b = 0;
      for (size_t k = 0; k < chunks; ++k) {
        const std::span<const unsigned char> raw(c.bytes.data() + k * chunk_bytes, chunk_bytes);
        double t0 = thread_cpu_s();
        const unsigned char* in = raw.data();
        if (c.shuffle) {
          h5::shuffle_bytes(raw, c.element_size, shuffled.data());
          in = shuffled.data();
        }
        const size_t n = libdeflate_zlib_compress(compressor, in, chunk_bytes, out.data(), out.size());
        whole += thread_cpu_s() - t0;
        whole_b += n;
        t0 = thread_cpu_s();
        const h5::FilteredChunk f =
            h5::filter_chunk(raw, c.element_size, c.shuffle, static_cast<unsigned>(level));
        ours += thread_cpu_s() - t0;
        ours_b += f.bytes.size();
        if (r == 0) {
          const std::vector<unsigned char> want(in, in + chunk_bytes);
          const bool deflated = f.filter_mask == 0;
          if (!inflates_to(out.data(), n, want) ||
              (deflated ? !inflates_to(f.bytes.data(), f.bytes.size(), want)
                        : !std::equal(f.bytes.begin(), f.bytes.end(), want.begin()))) {
            std::fprintf(stderr, "chunk_filter: %s chunk %zu does not read back\n", c.name.c_str(), k);
            return 1;
          }
        }
      }
      whole_s.push_back(whole);
      ours_s.push_back(ours);
    }
    std::sort(whole_s.begin(), whole_s.end());
    std::sort(ours_s.begin(), ours_s.end());
    const double w = whole_s[whole_s.size() / 2], o = ours_s[ours_s.size() / 2];
    total_whole += w;
    total_ours += o;
    bytes_whole += static_cast<double>(whole_b);
    bytes_ours += static_cast<double>(ours_b);
    rows_all = std::max(rows_all, rows);
    const auto per = [rows](double v) { return v / static_cast<double>(rows); };
    std::printf("| %s | %zu | %.1f | %.2f | %.1f | %.2f |\n", c.name.c_str(), c.element_size, 1e9 * per(w),
                per(static_cast<double>(whole_b)), 1e9 * per(o), per(static_cast<double>(ours_b)));
  }
  const double n = static_cast<double>(rows_all);
  std::printf("| all (%zu rows) | | %.1f | %.2f | %.1f | %.2f |\n", rows_all, 1e9 * total_whole / n,
              bytes_whole / n, 1e9 * total_ours / n, bytes_ours / n);
  libdeflate_free_compressor(compressor);
  return 0;
}
