// Scalar attributes in HDF5, private to output/: written with a fixed file type per C++ type, read back
// as strings or as numbers. Layout conventions are documented in output/SCHEMA.md.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace citytwin::output::h5 {

// Scalar attributes; an existing attribute of the same name is overwritten (keeping its stored type,
// so a value is always written with the same type under a given name). Strings are stored as
// variable-length UTF-8 (h5py reads them as str), which keeps only a heap reference in the object
// header, so texts of any length fit.
void write_attribute(hid_t object, const std::string& name, const std::string& value);
void write_attribute(hid_t object, const std::string& name, const char* value);
void write_attribute(hid_t object, const std::string& name, double value);
void write_attribute(hid_t object, const std::string& name, int32_t value);
void write_attribute(hid_t object, const std::string& name, uint64_t value);
void write_attribute(hid_t object, const std::string& name, int64_t value);
// A string attribute of `object`, variable-length or fixed-size: "" when it is absent or not a string.
std::string read_string_attribute(hid_t object, const char* name);
// A number attribute of `object` (any integer or floating type), as a double: none when it is absent or
// not a number.
std::optional<double> read_number_attribute(hid_t object, const char* name);
// Every number attribute of `object` (strings and others skipped), in the order they were created where
// the object tracks it (as create_group's groups do), by name otherwise. `what` names the object in errors.
std::vector<std::pair<std::string, double>> read_number_attributes(hid_t object, const std::string& what);

}  // namespace citytwin::output::h5
