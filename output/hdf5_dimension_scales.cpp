// The dimension scales of hdf5_columns.hpp's tables (attach_dimension_scale, index_rows,
// index_copied_tables): what lets netCDF readers (xarray with engine="h5netcdf") see a table's key column
// as the coordinate of its others.
#include <hdf5_hl.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "output/hdf5_columns.hpp"

namespace citytwin::output::h5 {
namespace {

// The Dimension Scale specification's two attributes (HDF5 hl/src/H5DS.c writes the same): on a dataset,
// DIMENSION_LIST, one variable-length list of object references per dimension; on the scale,
// REFERENCE_LIST, one {dataset, dimension} entry per dataset attached.
struct ReferenceEntry {
  hobj_ref_t dataset;
  int dimension;
};

herr_t collect_names(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

// Whether the fast path below applies: a scale with no dataset attached yet, and datasets with no scale.
bool first_attachments(hid_t scale, std::span<const hid_t> datasets) {
  if (check(H5Aexists(scale, REFERENCE_LIST), "look for the scale's REFERENCE_LIST") > 0) return false;
  for (const hid_t dataset : datasets)
    if (check(H5Aexists(dataset, DIMENSION_LIST), "look for a DIMENSION_LIST") > 0) return false;
  return true;
}

}  // namespace

void attach_dimension_scale(hid_t scale, const std::string& dimension_name, std::span<const hid_t> datasets) {
  const std::string path = object_path(scale);
  check(H5DSset_scale(scale, dimension_name.c_str()), "make " + path + " a dimension scale");
  // A scale or a dataset with a scale's attributes already (not in the trace writer's own use): HDF5's
  // attach, one dataset at a time.
  if (!first_attachments(scale, datasets)) {
    for (const hid_t dataset : datasets) {
      const std::string where = object_path(dataset);
      check(H5DSattach_scale(dataset, scale, 0), "attach " + path + " to " + where);
    }
    return;
  }
  // H5DSattach_scale reads the scale's REFERENCE_LIST, deletes it and writes it again one entry longer at
  // every call: quadratic in the datasets (0.12 s for /timeseries' 1,540 links of the 1 M city, ~3.5 s at
  // 10,000). The same attributes, with the same types and values, are written here once each.
  hobj_ref_t to_scale = 0;
  check(H5Rcreate(&to_scale, scale, ".", H5R_OBJECT, H5I_INVALID_HID), "refer to " + path);
  Handle list_type(H5Tvlen_create(H5T_STD_REF_OBJ), H5Tclose, "create the DIMENSION_LIST type");
  std::vector<ReferenceEntry> entries;
  entries.reserve(datasets.size());
  for (const hid_t dataset : datasets) {
    const std::string where = object_path(dataset);
    Handle space(H5Dget_space(dataset), H5Sclose, "get the dataspace of " + where);
    const int rank = std::max(1, check(H5Sget_simple_extent_ndims(space.get()), "get the rank of " + where));
    // Dimension 0 refers to the scale; any other dimension to none yet.
    std::vector<hvl_t> lists(static_cast<size_t>(rank), hvl_t{0, nullptr});
    lists[0] = hvl_t{1, &to_scale};
    const auto list_count = static_cast<hsize_t>(rank);
    Handle list_space(H5Screate_simple(1, &list_count, nullptr), H5Sclose, "create a DIMENSION_LIST space");
    Handle list(
        H5Acreate2(dataset, DIMENSION_LIST, list_type.get(), list_space.get(), H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose, "create the DIMENSION_LIST of " + where);
    check(H5Awrite(list.get(), list_type.get(), lists.data()), "attach " + path + " to " + where);
    ReferenceEntry& entry = entries.emplace_back(ReferenceEntry{0, 0});
    check(H5Rcreate(&entry.dataset, dataset, ".", H5R_OBJECT, H5I_INVALID_HID), "refer to " + where);
  }
  if (entries.empty()) return;
  Handle entry_type(H5Tcreate(H5T_COMPOUND, sizeof(ReferenceEntry)), H5Tclose,
                    "create the REFERENCE_LIST type");
  check(H5Tinsert(entry_type.get(), "dataset", offsetof(ReferenceEntry, dataset), H5T_STD_REF_OBJ),
        "create the REFERENCE_LIST type");
  check(H5Tinsert(entry_type.get(), "dimension", offsetof(ReferenceEntry, dimension), H5T_NATIVE_INT),
        "create the REFERENCE_LIST type");
  const auto count = static_cast<hsize_t>(entries.size());
  Handle space(H5Screate_simple(1, &count, nullptr), H5Sclose, "create the REFERENCE_LIST space");
  Handle references(
      H5Acreate2(scale, REFERENCE_LIST, entry_type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
      "create the REFERENCE_LIST of " + path);
  check(H5Awrite(references.get(), entry_type.get(), entries.data()), "write the REFERENCE_LIST of " + path);
}

void index_rows(hid_t group, hid_t key) {
  const std::string key_path = object_path(key);
  const std::string key_name = key_path.substr(key_path.rfind('/') + 1);
  std::vector<std::string> names;
  hsize_t at = 0;
  check(H5Literate(group, H5_INDEX_CRT_ORDER, H5_ITER_INC, &at, collect_names, &names),
        "list the columns of " + object_path(group));
  std::vector<Handle> columns;
  for (const std::string& name : names) {
    if (name == key_name) continue;
    const std::string path = child_path(group, name);
    H5O_info_t info{};
    check(H5Oget_info_by_name2(group, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT), "look at " + path);
    if (info.type != H5O_TYPE_DATASET) continue;
    columns.emplace_back(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose, "open " + path);
  }
  std::vector<hid_t> ids;
  ids.reserve(columns.size());
  for (const Handle& column : columns) ids.push_back(column.get());
  attach_dimension_scale(key, key_name, ids);
}

void index_copied_tables(hid_t parent) {
  std::vector<std::string> tables;
  const auto collect = [](hid_t group, const char* name, const H5L_info_t*, void* data) -> herr_t {
    H5O_info_t info{};
    if (H5Oget_info_by_name2(group, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) >= 0 &&
        info.type == H5O_TYPE_GROUP)
      static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  hsize_t at = 0;
  check(H5Literate(parent, H5_INDEX_NAME, H5_ITER_INC, &at, collect, &tables),
        "list the tables of " + object_path(parent));
  for (const std::string& table : tables) {
    const std::string path = child_path(parent, table);
    Handle group(H5Gopen2(parent, table.c_str(), H5P_DEFAULT), H5Gclose, "open " + path);
    std::vector<std::string> columns;
    at = 0;
    check(H5Literate(group.get(), H5_INDEX_CRT_ORDER, H5_ITER_INC, &at, collect_names, &columns),
          "list the columns of " + path + " in creation order");
    if (columns.empty()) continue;
    for (const std::string& column : columns) {
      Handle dataset(H5Dopen2(group.get(), column.c_str(), H5P_DEFAULT), H5Dclose,
                     "open " + path + "/" + column);
      for (const char* attribute : {DIMENSION_LIST, REFERENCE_LIST, "CLASS", "NAME"})
        if (check(H5Aexists(dataset.get(), attribute), "look at " + path + "/" + column) > 0)
          check(H5Adelete(dataset.get(), attribute), "drop " + path + "/" + column + "@" + attribute);
    }
    Handle key(H5Dopen2(group.get(), columns.front().c_str(), H5P_DEFAULT), H5Dclose,
               "open the key of " + path);
    index_rows(group.get(), key.get());
  }
}

}  // namespace citytwin::output::h5
