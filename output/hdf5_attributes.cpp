#include "output/hdf5_attributes.hpp"

#include "output/hdf5_handle.hpp"

namespace citytwin::output::h5 {
namespace {

void write_scalar_attribute(hid_t object, const std::string& name, hid_t file_type, hid_t memory_type,
                            const void* value) {
  const std::string where = "attribute '" + name + "' of " + object_path(object);
  Handle attribute;
  if (check(H5Aexists(object, name.c_str()), "look up " + where) > 0) {
    attribute = Handle(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "open " + where);
  } else {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create scalar dataspace");
    attribute = Handle(H5Acreate2(object, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                       H5Aclose, "create " + where);
  }
  check(H5Awrite(attribute.get(), memory_type, value), "write " + where);
}

// The open attribute as a double, or none when it is not a number (an integer or floating type).
std::optional<double> number_of(hid_t attribute, const std::string& where) {
  Handle type(H5Aget_type(attribute), H5Tclose, "type of " + where);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) return std::nullopt;
  double value = 0.0;
  check(H5Aread(attribute, H5T_NATIVE_DOUBLE, &value), "read " + where);
  return value;
}

herr_t add_name(hid_t, const char* name, const H5A_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

// Where `object` tracks the creation order of its attributes: as create_group's groups do.
bool attributes_ordered(hid_t object) {
  const H5I_type_t kind = H5Iget_type(object);
  if (kind != H5I_GROUP && kind != H5I_DATASET) return false;
  Handle properties(kind == H5I_GROUP ? H5Gget_create_plist(object) : H5Dget_create_plist(object), H5Pclose,
                    "creation properties of " + object_path(object));
  unsigned order = 0;
  return H5Pget_attr_creation_order(properties.get(), &order) >= 0 && (order & H5P_CRT_ORDER_INDEXED) != 0;
}

}  // namespace

void write_attribute(hid_t object, const std::string& name, const char* value) {
  Handle type = string_type(H5T_VARIABLE);
  write_scalar_attribute(object, name, type.get(), type.get(), &value);
}

void write_attribute(hid_t object, const std::string& name, const std::string& value) {
  write_attribute(object, name, value.c_str());
}

void write_attribute(hid_t object, const std::string& name, double value) {
  write_scalar_attribute(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void write_attribute(hid_t object, const std::string& name, int32_t value) {
  write_scalar_attribute(object, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &value);
}

void write_attribute(hid_t object, const std::string& name, uint64_t value) {
  write_scalar_attribute(object, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

void write_attribute(hid_t object, const std::string& name, int64_t value) {
  write_scalar_attribute(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

std::string read_string_attribute(hid_t object, const char* name) {
  if (H5Aexists(object, name) <= 0) return {};
  Handle attr(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, std::string("open attribute ") + name);
  Handle type(H5Aget_type(attr.get()), H5Tclose, "attribute type");
  if (H5Tget_class(type.get()) != H5T_STRING) return {};
  if (H5Tis_variable_str(type.get()) > 0) {
    char* value = nullptr;
    Handle memory = string_type(H5T_VARIABLE);
    check(H5Aread(attr.get(), memory.get(), &value), std::string("read attribute ") + name);
    std::string out = value != nullptr ? value : "";
    H5free_memory(value);
    return out;
  }
  std::string out(H5Tget_size(type.get()), '\0');
  check(H5Aread(attr.get(), type.get(), out.data()), std::string("read attribute ") + name);
  return out.substr(0, out.find('\0'));
}

std::optional<double> read_number_attribute(hid_t object, const char* name) {
  if (H5Aexists(object, name) <= 0) return std::nullopt;
  const std::string where = std::string("attribute ") + name;
  Handle attr(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, "open " + where);
  return number_of(attr.get(), where);
}

std::vector<std::pair<std::string, double>> read_number_attributes(hid_t object, const std::string& what) {
  // The names first, then each attribute read outside the iteration (nothing thrown through HDF5's C).
  std::vector<std::string> names;
  hsize_t at = 0;
  check(H5Aiterate2(object, attributes_ordered(object) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME, H5_ITER_INC, &at,
                    add_name, &names),
        "list the attributes of " + what);
  std::vector<std::pair<std::string, double>> out;
  for (const std::string& name : names) {
    const std::string where = what + "@" + name;
    Handle attr(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "open " + where);
    if (const std::optional<double> value = number_of(attr.get(), where)) out.emplace_back(name, *value);
  }
  return out;
}

}  // namespace citytwin::output::h5
