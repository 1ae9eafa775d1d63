#include "output/hdf5_columns.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "output/chunk_deflate.hpp"

namespace citytwin::output::h5 {
namespace {

void describe_column(hid_t dataset, const ColumnInfo& info) {
  write_attribute(dataset, "units", info.units);
  write_attribute(dataset, "description", info.description);
}

// Shuffle groups the bytes of each significance together, which is what lets deflate shrink slowly
// varying numbers (times, battery levels) well (ColumnInfo::shuffle: not for a column of few values).
// Level 0: chunked (so that a table can grow) but unfiltered. `chunk`: the chunk's size in each dimension.
Handle compressed_chunks(std::span<const hsize_t> chunk, unsigned deflate_level, bool shuffle = true) {
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create dataset properties");
  check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), "set chunk size");
  if (deflate_level == 0) return dcpl;
  if (shuffle) check(H5Pset_shuffle(dcpl.get()), "set shuffle filter");
  check(H5Pset_deflate(dcpl.get(), deflate_level), "set deflate filter");
  return dcpl;
}

// Whether rows in memory are the stored bytes (the little-endian standard types on this little-endian
// machine, and a string column's own type), so that filter_chunk can take them as they are.
bool stored_as_in_memory(hid_t file_type, hid_t memory_type) {
  return H5Tequal(file_type, memory_type) > 0 && H5Tget_size(file_type) > 0;
}

// Writes rows [first_row, first_row + rows) of `dataset` (chunks of `chunk_rows`; first_row on a chunk
// boundary) from `data`, chunk by chunk: filtered by filter_chunk (shuffle when `shuffle`, then
// libdeflate at `level`) and stored with H5Dwrite_chunk, as HDF5's own shuffle and deflate filters
// would store them. With `pad_last` a last partial chunk (the dataset ends in it) is padded with zeros,
// HDF5's fill value, and written whole; without, it is left to the caller. Returns the rows written.
size_t write_filtered_chunks(hid_t dataset, const std::string& path, const void* data, size_t first_row,
                             size_t rows, size_t chunk_rows, size_t element_size, bool shuffle,
                             unsigned level, bool pad_last) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  const size_t chunk_bytes = chunk_rows * element_size;
  std::vector<unsigned char> padded;
  size_t done = 0;
  while (done < rows) {
    const size_t take = std::min(chunk_rows, rows - done);
    const unsigned char* first = bytes + done * element_size;
    if (take < chunk_rows) {
      if (!pad_last) break;
      padded.assign(chunk_bytes, 0);
      std::memcpy(padded.data(), first, take * element_size);
      first = padded.data();
    }
    const std::span<const unsigned char> raw(first, chunk_bytes);
    const FilteredChunk chunk = filter_chunk(raw, element_size, shuffle, level);
    const hsize_t offset = first_row + done;
    check(H5Dwrite_chunk(dataset, H5P_DEFAULT, chunk.filter_mask, &offset, chunk.bytes.size(),
                         chunk.bytes.data()),
          "write " + path);
    done += take;
  }
  return done;
}

Handle write_static(hid_t group, const ColumnInfo& info, hid_t file_type, hid_t memory_type, const void* data,
                    size_t rows, unsigned deflate_level) {
  const std::string path = child_path(group, info.name);
  Handle file_enum;
  Handle memory_enum;
  if (!info.codes.empty()) {
    file_enum = enum_type(file_type, info.codes);
    memory_enum = enum_type(memory_type, info.codes);
    file_type = file_enum.get();
    memory_type = memory_enum.get();
  }
  const hsize_t dims = rows;
  Handle space(H5Screate_simple(1, &dims, nullptr), H5Sclose, "create dataspace for " + path);
  const size_t chunk_rows = std::min(rows, kStaticChunkRows);
  const hsize_t chunk = chunk_rows;
  Handle dcpl = rows > 0 ? compressed_chunks({&chunk, 1}, deflate_level, info.shuffle)
                         : Handle(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create dataset properties");
  Handle dataset(
      H5Dcreate2(group, info.name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      H5Dclose, "create dataset " + path);
  if (rows > 0 && deflate_level > 0 && stored_as_in_memory(file_type, memory_type)) {
    write_filtered_chunks(dataset.get(), path, data, 0, rows, chunk_rows, H5Tget_size(file_type),
                          info.shuffle, deflate_level, true);
  } else if (rows > 0) {
    check(H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write " + path);
  }
  describe_column(dataset.get(), info);
  return dataset;
}

// Rows of fixed-length, null-padded strings `width` bytes wide (at least 1: HDF5 has no 0-byte strings),
// row r being value(r).
template <class Value>
Handle write_strings(hid_t group, const ColumnInfo& info, size_t rows, size_t width, Value&& value,
                     unsigned deflate_level) {
  std::vector<char> packed(rows * width, '\0');
  for (size_t row = 0; row < rows; ++row) {
    const std::string& v = value(row);
    std::memcpy(packed.data() + row * width, v.data(), v.size());
  }
  Handle type = string_type(width);
  Handle dataset = write_static(group, info, type.get(), type.get(), packed.data(), rows, deflate_level);
  // netCDF's convention for text stored as bytes: xarray decodes such a column to str (a table's key
  // then selects by name: .sel(district="harbour")); h5py still reads bytes.
  write_attribute(dataset.get(), "_Encoding", "utf-8");
  return dataset;
}

}  // namespace

template <>
NumericType numeric_type<int8_t>() {
  return {H5T_STD_I8LE, H5T_NATIVE_INT8};
}
template <>
NumericType numeric_type<uint8_t>() {
  return {H5T_STD_U8LE, H5T_NATIVE_UINT8};
}
template <>
NumericType numeric_type<uint16_t>() {
  return {H5T_STD_U16LE, H5T_NATIVE_UINT16};
}
template <>
NumericType numeric_type<int16_t>() {
  return {H5T_STD_I16LE, H5T_NATIVE_INT16};
}
template <>
NumericType numeric_type<uint32_t>() {
  return {H5T_STD_U32LE, H5T_NATIVE_UINT32};
}
template <>
NumericType numeric_type<int64_t>() {
  return {H5T_STD_I64LE, H5T_NATIVE_INT64};
}
template <>
NumericType numeric_type<float>() {
  return {H5T_IEEE_F32LE, H5T_NATIVE_FLOAT};
}
template <>
NumericType numeric_type<double>() {
  return {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE};
}

Handle create_group(hid_t parent, const std::string& name, const std::string& description) {
  const std::string path = child_path(parent, name);
  if (check(H5Lexists(parent, name.c_str(), H5P_DEFAULT), "look up " + path) > 0) {
    check(H5Ldelete(parent, name.c_str(), H5P_DEFAULT), "replace " + path);
  }
  Handle gcpl(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, "create group properties");
  const unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  check(H5Pset_link_creation_order(gcpl.get(), order), "track link order of " + path);
  check(H5Pset_attr_creation_order(gcpl.get(), order), "track attribute order of " + path);
  Handle group(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), H5Gclose,
               "create group " + path);
  if (!description.empty()) write_attribute(group.get(), "description", description);
  return group;
}

Handle enum_type(hid_t base, std::span<const EnumMember> codes) {
  Handle type(H5Tenum_create(base), H5Tclose, "create enumeration type");
  const size_t size = H5Tget_size(base);
  for (const EnumMember& member : codes) {
    // The value in the base type's own layout (size and byte order), as H5Tenum_insert expects.
    unsigned char value[16] = {};
    std::memcpy(value, &member.value, sizeof member.value);
    if (size > sizeof value) fail("enumeration base type too wide");
    check(H5Tconvert(H5T_NATIVE_INT64, base, 1, value, nullptr, H5P_DEFAULT),
          std::string("convert enumeration value of '") + member.name + "'");
    check(H5Tenum_insert(type.get(), member.name, value),
          std::string("insert enumeration name '") + member.name + "'");
  }
  return type;
}

Handle write_column(hid_t group, const ColumnInfo& info, NumericType type, const void* data, size_t rows,
                    unsigned deflate_level) {
  return write_static(group, info, type.file, type.memory, data, rows, deflate_level);
}

size_t string_width(std::span<const std::string> values) {
  size_t width = 1;
  for (const auto& value : values) width = std::max(width, value.size());
  return width;
}

Handle write_column(hid_t group, const ColumnInfo& info, const std::vector<std::string>& values,
                    unsigned deflate_level) {
  return write_strings(
      group, info, values.size(), string_width(values),
      [&](size_t row) -> const std::string& { return values[row]; }, deflate_level);
}

Handle write_column(hid_t group, const ColumnInfo& info, std::span<const std::string> values,
                    std::span<const uint32_t> codes, unsigned deflate_level) {
  std::vector<char> used(values.size(), 0);
  for (const uint32_t code : codes) {
    if (code >= values.size())
      throw std::invalid_argument("column " + info.name + ": code " + std::to_string(code) + " of " +
                                  std::to_string(values.size()) + " values");
    used[code] = 1;
  }
  size_t width = 1;
  for (size_t v = 0; v < values.size(); ++v)
    if (used[v]) width = std::max(width, values[v].size());
  return write_strings(
      group, info, codes.size(), width, [&](size_t row) -> const std::string& { return values[codes[row]]; },
      deflate_level);
}

Handle write_names(hid_t group, const ColumnInfo& info, const std::vector<std::string>& values) {
  const std::string path = child_path(group, info.name);
  Handle type = string_type(H5T_VARIABLE);
  const hsize_t count = values.size();
  Handle space(H5Screate_simple(1, &count, nullptr), H5Sclose, "create dataspace for " + path);
  Handle dataset(
      H5Dcreate2(group, info.name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose, "create dataset " + path);
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const std::string& value : values) pointers.push_back(value.c_str());
  if (!pointers.empty())
    check(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
          "write " + path);
  describe_column(dataset.get(), info);
  return dataset;
}

Handle write_matrix(hid_t group, const ColumnInfo& info, std::span<const double> values, size_t rows,
                    size_t columns, unsigned deflate_level) {
  const std::string path = child_path(group, info.name);
  if (values.size() != rows * columns)
    throw std::invalid_argument(path + ": " + std::to_string(values.size()) + " values for " +
                                std::to_string(rows) + " x " + std::to_string(columns));
  const hsize_t dims[2] = {rows, columns};
  Handle space(H5Screate_simple(2, dims, nullptr), H5Sclose, "create dataspace for " + path);
  // Chunks of up to 256 x 256 values (512 KiB): one link's whole series, or one interval's every link,
  // reads a few chunks.
  const hsize_t chunk[2] = {std::min<hsize_t>(rows, 256), std::min<hsize_t>(columns, 256)};
  Handle dcpl = !values.empty()
                    ? compressed_chunks(chunk, deflate_level, info.shuffle)
                    : Handle(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create dataset properties");
  Handle dataset(
      H5Dcreate2(group, info.name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      H5Dclose, "create dataset " + path);
  if (!values.empty())
    check(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "write " + path);
  describe_column(dataset.get(), info);
  return dataset;
}

AppendableColumn::AppendableColumn(hid_t group, const ColumnInfo& info, NumericType type, size_t chunk_rows,
                                   unsigned deflate_level)
    : name_(child_path(group, info.name)),
      type_(type),
      chunk_rows_(std::max<size_t>(chunk_rows, 1)),
      element_size_(H5Tget_size(type.memory)),
      deflate_level_(deflate_level),
      shuffle_(info.shuffle),
      filter_here_(deflate_level > 0 && stored_as_in_memory(type.file, type.memory)) {
  Handle file_enum;
  if (!info.codes.empty()) {
    file_enum = enum_type(type.file, info.codes);
    memory_enum_ = enum_type(type.memory, info.codes);
    type_ = {file_enum.get(), memory_enum_.get()};  // the file type is only needed to create the dataset
  }
  const hsize_t dims = 0;
  const hsize_t max_dims = H5S_UNLIMITED;
  Handle space(H5Screate_simple(1, &dims, &max_dims), H5Sclose, "create dataspace for " + name_);
  const hsize_t chunk = chunk_rows_;
  Handle dcpl = compressed_chunks({&chunk, 1}, deflate_level, info.shuffle);
  dataset_ = Handle(
      H5Dcreate2(group, info.name.c_str(), type_.file, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      H5Dclose, "create dataset " + name_);
  type_.file = type.file;  // file_enum closes at the end of this constructor
  describe_column(dataset_.get(), info);
}

void AppendableColumn::append(const void* data, size_t rows) {
  if (rows == 0) return;
  const hsize_t new_rows = rows_ + rows;
  check(H5Dset_extent(dataset_.get(), &new_rows), "extend " + name_);
  // Whole chunks filtered here; a partial one (the table's last, at the end of a run) through HDF5's
  // pipeline, which also merges rows into a chunk already begun.
  size_t done = 0;
  if (filter_here_ && rows_ % chunk_rows_ == 0) {
    done = write_filtered_chunks(dataset_.get(), name_, data, rows_, rows, chunk_rows_, element_size_,
                                 shuffle_, deflate_level_, false);
  }
  if (done < rows) {
    const hsize_t start = rows_ + done;
    const hsize_t count = rows - done;
    Handle file_space(H5Dget_space(dataset_.get()), H5Sclose, "get dataspace of " + name_);
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr),
          "select rows of " + name_);
    Handle memory_space(H5Screate_simple(1, &count, nullptr), H5Sclose, "create dataspace for " + name_);
    const auto* rest = static_cast<const unsigned char*>(data) + done * element_size_;
    check(H5Dwrite(dataset_.get(), type_.memory, memory_space.get(), file_space.get(), H5P_DEFAULT, rest),
          "write " + name_);
  }
  rows_ = new_rows;
}

}  // namespace citytwin::output::h5
