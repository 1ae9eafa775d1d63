// Reading HDF5 files back with the plain C API, as a reader without citytwin would; test-only helpers.
// Failures are reported as gtest failures and yield empty values.
#pragma once

#include <gtest/gtest.h>
#include <hdf5.h>

#include <string>
#include <vector>

namespace citytwin::output::h5read {

class File {
 public:
  explicit File(const std::string& path) : id_(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)) {}
  ~File() {
    if (id_ >= 0) H5Fclose(id_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  hid_t id() const { return id_; }
  bool exists(const std::string& path) const { return H5Lexists(id_, path.c_str(), H5P_DEFAULT) > 0; }

 private:
  hid_t id_;
};

inline hsize_t length(const File& file, const std::string& path) {
  const hid_t dataset = H5Dopen2(file.id(), path.c_str(), H5P_DEFAULT);
  EXPECT_GE(dataset, 0) << path;
  const hid_t space = H5Dget_space(dataset);
  EXPECT_EQ(H5Sget_simple_extent_ndims(space), 1) << path;
  hsize_t dims = 0;
  H5Sget_simple_extent_dims(space, &dims, nullptr);
  H5Sclose(space);
  H5Dclose(dataset);
  return dims;
}

template <class T>
std::vector<T> read_column(const File& file, const std::string& path, hid_t memory_type) {
  std::vector<T> values(length(file, path));
  const hid_t dataset = H5Dopen2(file.id(), path.c_str(), H5P_DEFAULT);
  if (!values.empty()) {
    EXPECT_GE(H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0) << path;
  }
  H5Dclose(dataset);
  return values;
}

inline std::vector<std::string> read_strings(const File& file, const std::string& path) {
  const hsize_t rows = length(file, path);
  const hid_t dataset = H5Dopen2(file.id(), path.c_str(), H5P_DEFAULT);
  const hid_t type = H5Dget_type(dataset);
  EXPECT_EQ(H5Tget_class(type), H5T_STRING) << path;
  EXPECT_FALSE(H5Tis_variable_str(type)) << path;
  const size_t width = H5Tget_size(type);
  std::vector<char> buffer(rows * width);
  if (rows > 0) {
    EXPECT_GE(H5Dread(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()), 0);
  }
  H5Tclose(type);
  H5Dclose(dataset);
  std::vector<std::string> values;
  for (hsize_t row = 0; row < rows; ++row) {
    std::string value(buffer.data() + row * width, width);
    value.resize(value.find('\0') == std::string::npos ? width : value.find('\0'));
    values.push_back(value);
  }
  return values;
}

// A 1-D dataset of variable-length strings (h5::write_names).
inline std::vector<std::string> read_names(const File& file, const std::string& path) {
  const hsize_t rows = length(file, path);
  const hid_t dataset = H5Dopen2(file.id(), path.c_str(), H5P_DEFAULT);
  const hid_t type = H5Dget_type(dataset);
  EXPECT_EQ(H5Tget_class(type), H5T_STRING) << path;
  EXPECT_TRUE(H5Tis_variable_str(type)) << path;
  std::vector<char*> pointers(rows, nullptr);
  if (rows > 0) {
    EXPECT_GE(H5Dread(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), 0);
  }
  std::vector<std::string> values(pointers.begin(), pointers.end());
  if (rows > 0) {
    const hid_t space = H5Dget_space(dataset);
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, pointers.data());
    H5Sclose(space);
  }
  H5Tclose(type);
  H5Dclose(dataset);
  return values;
}

inline std::string read_string_attribute(const File& file, const std::string& object,
                                         const std::string& name) {
  const hid_t attribute = H5Aopen_by_name(file.id(), object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  EXPECT_GE(attribute, 0) << object << " @" << name;
  if (attribute < 0) return "<missing>";
  const hid_t type = H5Aget_type(attribute);
  EXPECT_EQ(H5Tget_class(type), H5T_STRING);
  std::string value;
  if (H5Tis_variable_str(type) > 0) {
    char* text = nullptr;
    EXPECT_GE(H5Aread(attribute, type, &text), 0);
    value = text != nullptr ? text : "";
    H5free_memory(text);
  } else {
    std::vector<char> buffer(H5Tget_size(type));
    EXPECT_GE(H5Aread(attribute, type, buffer.data()), 0);
    value.assign(buffer.data(), buffer.size());
    value.resize(value.find('\0') == std::string::npos ? value.size() : value.find('\0'));
  }
  H5Tclose(type);
  H5Aclose(attribute);
  return value;
}

template <class T>
T read_attribute(const File& file, const std::string& object, const std::string& name, hid_t memory_type) {
  T value{};
  const hid_t attribute = H5Aopen_by_name(file.id(), object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  EXPECT_GE(attribute, 0) << object << " @" << name;
  if (attribute >= 0) {
    EXPECT_GE(H5Aread(attribute, memory_type, &value), 0);
    H5Aclose(attribute);
  }
  return value;
}

// The chunk size and filters of a dataset (chunk 0 when contiguous).
struct Layout {
  hsize_t chunk = 0;
  bool shuffle = false;
  bool deflate = false;
  bool unlimited = false;
};

inline Layout layout(const File& file, const std::string& path) {
  Layout result;
  const hid_t dataset = H5Dopen2(file.id(), path.c_str(), H5P_DEFAULT);
  const hid_t dcpl = H5Dget_create_plist(dataset);
  if (H5Pget_layout(dcpl) == H5D_CHUNKED) H5Pget_chunk(dcpl, 1, &result.chunk);
  auto has_filter = [dcpl](H5Z_filter_t filter) {
    unsigned flags = 0;
    unsigned values[8] = {};
    size_t n_values = 8;
    return H5Pget_filter_by_id2(dcpl, filter, &flags, &n_values, values, 0, nullptr, nullptr) >= 0;
  };
  result.shuffle = has_filter(H5Z_FILTER_SHUFFLE);
  result.deflate = has_filter(H5Z_FILTER_DEFLATE);
  const hid_t space = H5Dget_space(dataset);
  hsize_t max_dims = 0;
  H5Sget_simple_extent_dims(space, nullptr, &max_dims);
  result.unlimited = max_dims == H5S_UNLIMITED;
  H5Sclose(space);
  H5Pclose(dcpl);
  H5Dclose(dataset);
  return result;
}

}  // namespace citytwin::output::h5read
