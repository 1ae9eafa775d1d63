// Columnar tables and attributes in HDF5, private to output/. A table is a group holding one 1-D
// dataset per column, all the same length; every column carries `units` and `description` string
// attributes. Layout conventions are documented in output/SCHEMA.md.
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "output/hdf5_attributes.hpp"
#include "output/hdf5_handle.hpp"

namespace citytwin::output::h5 {

// Rows per chunk of a static table column (fewer when the table is shorter).
inline constexpr size_t kStaticChunkRows = 65536;
// gzip level: level 1 after the shuffle filter gives most of the size reduction at a fraction of the
// cost of higher levels (~105 MB/s with zlib and ~3x smaller for the message trace on these machines;
// measured in bench/RESULTS.md, "Trace compression"; libdeflate, chunk_deflate.hpp, about twice that).
// The trace's large tables take run.trace_compression (0: chunked, no filter).
inline constexpr unsigned kDeflateLevel = 1;

// One name of a coded column: stored as an HDF5 enumeration, so that h5py, h5dump and HDFView show
// the names (h5py.check_enum_dtype(ds.dtype) gives the mapping) while the values stay plain integers.
struct EnumMember {
  const char* name;
  int64_t value;
};

struct ColumnInfo {
  std::string name;
  std::string units;  // "" when dimensionless or not applicable
  std::string description;
  std::span<const EnumMember> codes{};  // non-empty: an enumeration over the column's integer type
  // Shuffle before deflate (compressed tables). Off for a column of few distinct multi-byte values (a
  // channel, a time on air): deflate finds its repeated whole values, which shuffle would split across
  // planes (about half the size, for less CPU: bench/RESULTS.md, "Trace compression").
  bool shuffle = true;
};

// The stored (little-endian, standard) and in-memory (native) HDF5 types of a numeric column.
struct NumericType {
  hid_t file = H5I_INVALID_HID;
  hid_t memory = H5I_INVALID_HID;
};
template <class T>
NumericType numeric_type();
template <>
NumericType numeric_type<int8_t>();
template <>
NumericType numeric_type<uint8_t>();
template <>
NumericType numeric_type<uint16_t>();
template <>
NumericType numeric_type<int16_t>();
template <>
NumericType numeric_type<uint32_t>();
template <>
NumericType numeric_type<int64_t>();
template <>
NumericType numeric_type<float>();
template <>
NumericType numeric_type<double>();

// Creates group `name` under `parent`, replacing an existing one. Links and attributes keep their
// creation order, so h5py lists columns in schema order rather than alphabetically. A non-empty
// `description` becomes a string attribute of the group.
Handle create_group(hid_t parent, const std::string& name, const std::string& description);

// An enumeration over `base` (an integer type) with the given names and values.
Handle enum_type(hid_t base, std::span<const EnumMember> codes);

// Static columns, written whole: chunked (min(rows, kStaticChunkRows)) and compressed (shuffle +
// deflate) when not empty, a 0-length contiguous dataset otherwise. Returns the open dataset.
// `deflate_level` 0 stores the chunks unfiltered.
Handle write_column(hid_t group, const ColumnInfo& info, NumericType type, const void* data, size_t rows,
                    unsigned deflate_level = kDeflateLevel);
template <class T>
Handle write_column(hid_t group, const ColumnInfo& info, const std::vector<T>& values,
                    unsigned deflate_level = kDeflateLevel) {
  return write_column(group, info, numeric_type<T>(), values.data(), values.size(), deflate_level);
}
// The width of a fixed-length string column holding `values`: the longest, at least 1 byte (HDF5 has no
// 0-byte strings).
size_t string_width(std::span<const std::string> values);
// Fixed-length, null-padded UTF-8 strings as wide as the longest value (string_width).
Handle write_column(hid_t group, const ColumnInfo& info, const std::vector<std::string>& values,
                    unsigned deflate_level = kDeflateLevel);
// The same column from codes: row r is values[codes[r]] (as wide as the longest value a row uses).
Handle write_column(hid_t group, const ColumnInfo& info, std::span<const std::string> values,
                    std::span<const uint32_t> codes, unsigned deflate_level = kDeflateLevel);

// Names as variable-length UTF-8 strings (netCDF readers such as xarray read them as str), e.g. the
// labels of a table's second dimension (/drivers/district, /timeseries/link). Not compressed.
Handle write_names(hid_t group, const ColumnInfo& info, const std::vector<std::string>& values);

// A (rows x columns) matrix of doubles from `values` in row-major order: chunked and compressed (shuffle +
// deflate at `deflate_level`, HDF5's own filters) when not empty, a contiguous empty dataset otherwise.
Handle write_matrix(hid_t group, const ColumnInfo& info, std::span<const double> values, size_t rows,
                    size_t columns, unsigned deflate_level = kDeflateLevel);

// Makes `scale` (a 1-D column, e.g. /timeseries/t_s) the dimension scale of dimension 0 of each of
// `datasets`, as netCDF-4 does for a coordinate: xarray (engine h5netcdf) and other netCDF readers
// then see the column as the coordinate of the others. Writes the specification's attributes once each
// (HDF5's H5DSattach_scale is quadratic in the datasets), or uses H5DSattach_scale where the scale or a
// dataset already has a scale's attributes.
void attach_dimension_scale(hid_t scale, const std::string& dimension_name, std::span<const hid_t> datasets);

// Makes column `key` of the table `group` (the column that names its rows: /devices/id, /messages/t_tx_s,
// /kpi/by_district/district) the dimension scale of every other column, so that netCDF
// readers (xarray with engine="h5netcdf") open the table as a Dataset over `key` without phony_dims, and
// h5py or pandas still see the same columns, no dataset added. Call once the group's columns exist.
void index_rows(hid_t group, hid_t key);
// The same for each table under `parent` copied with H5Ocopy from another file (a compare file's copies of
// its runs' /kpi): the copy's dimension-scale references still hold the source file's addresses, so they
// are dropped and each table indexed again by its first column.
void index_copied_tables(hid_t parent);

// A numeric column that grows as rows arrive: extendible (unlimited maximum), chunked, compressed.
// Compressed chunks are filtered by output/chunk_deflate.hpp (libdeflate) and stored whole, as HDF5's
// shuffle and deflate filters would store them; so are a static column's (write_column).
class AppendableColumn {
 public:
  AppendableColumn(hid_t group, const ColumnInfo& info, NumericType type, size_t chunk_rows,
                   unsigned deflate_level = kDeflateLevel);

  // Extends the dataset by `rows` and writes them from `data` (native layout) in one call.
  void append(const void* data, size_t rows);
  uint64_t rows() const { return rows_; }
  hid_t id() const { return dataset_.get(); }
  // Closes the dataset; further appends fail.
  herr_t close() { return dataset_.close(); }

 private:
  std::string name_;
  NumericType type_;
  size_t chunk_rows_;
  size_t element_size_;
  unsigned deflate_level_;
  bool shuffle_;
  bool filter_here_;    // whole chunks filtered by output/chunk_deflate.hpp, not by HDF5's pipeline
  Handle memory_enum_;  // the in-memory enumeration type of a coded column
  Handle dataset_;
  uint64_t rows_ = 0;
};

}  // namespace citytwin::output::h5
