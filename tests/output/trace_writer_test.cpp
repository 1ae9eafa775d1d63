// The trace writer, read back with the plain HDF5 C API (what a reader without citytwin would use).
#include "output/trace_writer.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "output/hdf5_columns.hpp"
#include "tests/output/h5_reader.hpp"
#include "tests/output/trace_fixtures.hpp"

namespace citytwin::output {
namespace {

using fixtures::complete_flag;
using fixtures::expect_messages;
using fixtures::make_messages;
using fixtures::sample_meta;
using fixtures::TraceWriterTest;
using h5read::File;
using h5read::Layout;
using h5read::layout;
using h5read::length;
using h5read::read_attribute;
using h5read::read_column;
using h5read::read_string_attribute;
using h5read::read_strings;

namespace fs = std::filesystem;

TEST_F(TraceWriterTest, MetaRoundTripsIncludingLongScenarioText) {
  RunMeta meta = sample_meta();
  meta.scenario_text.clear();
  while (meta.scenario_text.size() < 200000) meta.scenario_text += "devices:\n  - name: café_sensors\n";
  {
    TraceWriter writer(path("run.h5"), meta);
    writer.finish(true);
  }
  File file(path("run.h5"));
  ASSERT_GE(file.id(), 0);
  EXPECT_EQ(read_attribute<int>(file, "meta", "schema_version", H5T_NATIVE_INT), kSchemaVersion);
  EXPECT_EQ(read_string_attribute(file, "meta", "citytwin_version"), "0.1.0");
  EXPECT_EQ(read_attribute<uint64_t>(file, "meta", "seed", H5T_NATIVE_UINT64), meta.seed);
  EXPECT_EQ(read_attribute<int>(file, "meta", "threads", H5T_NATIVE_INT), 4);
  EXPECT_EQ(read_string_attribute(file, "meta", "scenario_source"), "scenarios/riverside.yaml");
  EXPECT_EQ(read_string_attribute(file, "meta", "scenario"), meta.scenario_text);
  EXPECT_EQ(read_string_attribute(file, "meta", "overrides"), "run.seed=7\nrun.duration_s=3600\n");
  EXPECT_EQ(read_attribute<double>(file, "meta", "duration_s", H5T_NATIVE_DOUBLE), 3600.0);
  EXPECT_EQ(complete_flag(file), 1);
  EXPECT_TRUE(file.exists("kpi"));
  EXPECT_FALSE(file.exists("messages"));  // no trace was recorded
}

// /timeseries is one (t_s, link) matrix whatever the number of links (schema 3: 10,000 columns took
// 2.3 s to write and xarray 6 s to open at 1,539), with t_s and link as its netCDF coordinates.
TEST_F(TraceWriterTest, TimeseriesOfTenThousandLinksIsOneMatrixOverTimeAndLink) {
  TimeSeries series;
  series.t_s = {0.0, 3600.0};
  series.description = "utilisation of every wired link";
  const size_t links = 10000;
  for (size_t link = 0; link < links; ++link) {
    series.links.push_back("fibre:gw" + std::to_string(link));
    series.capacity_bytes_per_s.push_back(1.25e8 + static_cast<double>(link));
  }
  for (size_t row = 0; row < 2; ++row)
    for (size_t link = 0; link < links; ++link)
      series.utilisation.push_back(static_cast<double>(row) + static_cast<double>(link) * 1e-5);
  series.network_server = {0.125, 0.25};
  {
    TraceWriter writer(path("run.h5"), sample_meta());
    writer.write_timeseries(series);
    writer.finish(true);
  }
  File file(path("run.h5"));
  ASSERT_GE(file.id(), 0);
  EXPECT_EQ(complete_flag(file), 1);
  EXPECT_EQ(h5read::read_names(file, "timeseries/link"), series.links);
  EXPECT_EQ(read_column<double>(file, "timeseries/capacity_bytes_per_s", H5T_NATIVE_DOUBLE),
            series.capacity_bytes_per_s);
  EXPECT_EQ(read_column<double>(file, "timeseries/network_server", H5T_NATIVE_DOUBLE), series.network_server);
  EXPECT_EQ(read_string_attribute(file, "timeseries/capacity_bytes_per_s", "units"), "B/s");

  const hid_t utilisation = H5Dopen2(file.id(), "timeseries/utilisation", H5P_DEFAULT);
  const hid_t time = H5Dopen2(file.id(), "timeseries/t_s", H5P_DEFAULT);
  const hid_t link = H5Dopen2(file.id(), "timeseries/link", H5P_DEFAULT);
  const hid_t server = H5Dopen2(file.id(), "timeseries/network_server", H5P_DEFAULT);
  ASSERT_GE(utilisation, 0);
  const hid_t space = H5Dget_space(utilisation);
  hsize_t dims[2] = {0, 0};
  ASSERT_EQ(H5Sget_simple_extent_ndims(space), 2);
  H5Sget_simple_extent_dims(space, dims, nullptr);
  H5Sclose(space);
  EXPECT_EQ(dims[0], 2u);
  EXPECT_EQ(dims[1], links);
  std::vector<double> read(2 * links);
  EXPECT_GE(H5Dread(utilisation, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, read.data()), 0);
  EXPECT_EQ(read, series.utilisation);  // row-major: [interval][link]
  EXPECT_GT(H5DSis_attached(utilisation, time, 0), 0);
  EXPECT_GT(H5DSis_attached(utilisation, link, 1), 0);
  EXPECT_GT(H5DSis_attached(server, time, 0), 0);
  EXPECT_EQ(H5DSget_num_scales(utilisation, 0), 1);
  EXPECT_EQ(H5DSget_num_scales(utilisation, 1), 1);
  for (const hid_t d : {utilisation, time, link, server}) H5Dclose(d);
}

// A /timeseries whose parts disagree is refused before anything is written, naming what is wrong; the
// trace stays complete.
TEST_F(TraceWriterTest, TimeseriesOfMismatchedShapesOrTwinLinksIsRefused) {
  TimeSeries series;
  series.t_s = {0.0, 300.0};
  series.links = {"fibre:a", "fibre:b"};
  series.capacity_bytes_per_s = {1e6, 1e6};
  series.utilisation = {0.1, 0.2, 0.3};  // 3 values for 2 x 2
  series.network_server = {0.0, 0.0};
  TraceWriter writer(path("run.h5"), sample_meta());
  try {
    writer.write_timeseries(series);
    ADD_FAILURE() << "a 3-value matrix for 2 x 2 was written";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("/timeseries/utilisation: 3 values, expected 2 intervals x 2 links"),
              std::string::npos)
        << e.what();
  }
  series.utilisation.push_back(0.4);
  series.links[1] = "fibre:a";
  EXPECT_THROW(writer.write_timeseries(series), std::invalid_argument);
  series.links[1] = "fibre:b";
  writer.write_timeseries(series);
  writer.finish(true);
}

// h5::attach_dimension_scale writes the Dimension Scale attributes once each (HDF5's H5DSattach_scale
// rewrites the scale's whole REFERENCE_LIST at every dataset): the same attributes, with the same types,
// as HDF5's own attach gives, which HDF5's scale functions then read and extend.
TEST_F(TraceWriterTest, DimensionScalesAttachedAtOnceAreHdf5sOwn) {
  struct Twin {
    hid_t file, scale, district;
    std::vector<hid_t> datasets;  // three columns, then a (time x district) table
  };
  const auto make = [&](const std::string& name) {
    const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST);
    Twin t{H5Fcreate(path(name).c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), -1, -1, {}};
    H5Pclose(fapl);
    const auto dataset = [&](const std::string& n, std::vector<hsize_t> dims) {
      const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
      const hid_t d =
          H5Dcreate2(t.file, n.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      H5Sclose(space);
      return d;
    };
    t.scale = dataset("t_s", {4});
    t.district = dataset("district", {2});
    for (const char* n : {"a", "b", "c"}) t.datasets.push_back(dataset(n, {4}));
    t.datasets.push_back(dataset("table", {4, 2}));
    return t;
  };
  Twin ours = make("ours.h5"), hdf5 = make("hdf5.h5");
  h5::attach_dimension_scale(ours.scale, "t_s", ours.datasets);
  ASSERT_GE(H5DSset_scale(hdf5.scale, "t_s"), 0);
  for (const hid_t d : hdf5.datasets) ASSERT_GE(H5DSattach_scale(d, hdf5.scale, 0), 0);
  // A second scale on the table's other dimension, through HDF5's attach, extends either file's lists.
  for (Twin* t : {&ours, &hdf5}) {
    ASSERT_GE(H5DSset_scale(t->district, "district"), 0);
    ASSERT_GE(H5DSattach_scale(t->datasets[3], t->district, 1), 0);
  }
  for (size_t i = 0; i < ours.datasets.size(); ++i) {
    const hid_t d = ours.datasets[i];
    EXPECT_GT(H5DSis_attached(d, ours.scale, 0), 0) << i;  // (reads both the dataset's and the scale's list)
    EXPECT_EQ(H5DSget_num_scales(d, 0), 1) << i;
    // The same DIMENSION_LIST type as HDF5's.
    const hid_t a = H5Aopen(d, "DIMENSION_LIST", H5P_DEFAULT),
                b = H5Aopen(hdf5.datasets[i], "DIMENSION_LIST", H5P_DEFAULT);
    const hid_t ta = H5Aget_type(a), tb = H5Aget_type(b);
    EXPECT_GT(H5Tequal(ta, tb), 0) << i;
    H5Tclose(ta), H5Tclose(tb), H5Aclose(a), H5Aclose(b);
  }
  EXPECT_GT(H5DSis_attached(ours.datasets[3], ours.district, 1), 0);
  EXPECT_EQ(H5DSget_num_scales(ours.datasets[3], 1), 1);
  // The scale's REFERENCE_LIST: one entry a dataset, in the order given, each its dimension 0.
  const hid_t a = H5Aopen(ours.scale, "REFERENCE_LIST", H5P_DEFAULT),
              b = H5Aopen(hdf5.scale, "REFERENCE_LIST", H5P_DEFAULT);
  const hid_t ta = H5Aget_type(a), tb = H5Aget_type(b);
  EXPECT_GT(H5Tequal(ta, tb), 0);
  struct Entry {
    hobj_ref_t dataset;
    int dimension;
  };
  const hid_t native = H5Tcreate(H5T_COMPOUND, sizeof(Entry));
  H5Tinsert(native, "dataset", offsetof(Entry, dataset), H5T_STD_REF_OBJ);
  H5Tinsert(native, "dimension", offsetof(Entry, dimension), H5T_NATIVE_INT);
  std::vector<Entry> entries(4);
  const hid_t space = H5Aget_space(a);
  ASSERT_EQ(H5Sget_simple_extent_npoints(space), 4);
  ASSERT_GE(H5Aread(a, native, entries.data()), 0);
  for (size_t i = 0; i < entries.size(); ++i) {
    char name[32] = {};
    ASSERT_GT(H5Rget_name(ours.file, H5R_OBJECT, &entries[i].dataset, name, sizeof(name)), 0);
    EXPECT_EQ(std::string(name), std::vector<std::string>({"/a", "/b", "/c", "/table"})[i]);
    EXPECT_EQ(entries[i].dimension, 0);
  }
  H5Sclose(space), H5Tclose(native), H5Tclose(ta), H5Tclose(tb), H5Aclose(a), H5Aclose(b);
  // A dataset that has a scale already: attached by HDF5's attach (both scales then listed).
  const hid_t scale_space = H5Dget_space(ours.scale);
  const hid_t again =
      H5Dcreate2(ours.file, "t2", H5T_IEEE_F64LE, scale_space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Sclose(scale_space);
  const hid_t first = ours.datasets[0];
  h5::attach_dimension_scale(again, "t2", std::vector<hid_t>{first});
  EXPECT_GT(H5DSis_attached(first, again, 0), 0);
  EXPECT_GT(H5DSis_attached(first, ours.scale, 0), 0);
  EXPECT_EQ(H5DSget_num_scales(first, 0), 2);
  H5Dclose(again);
  for (Twin* t : {&ours, &hdf5}) {
    for (const hid_t d : t->datasets) H5Dclose(d);
    H5Dclose(t->scale), H5Dclose(t->district), H5Fclose(t->file);
  }
}

TEST_F(TraceWriterTest, StaticTablesAndKpisRoundTrip) {
  DeviceTable devices;
  devices.id = {0, 1, 2};
  devices.population = {"river", "parking_lots", "river"};
  devices.type = {"river_level", "parking", "river_level"};
  devices.district = {"Altstadt", "Süd", ""};
  devices.x_m = {1.5, -2.25, 1e6};
  devices.y_m = {0.0, 3.75, 42.0};
  GatewayTable gateways;
  gateways.id = {0, 1};
  gateways.name = {"gw-town-hall", "gw-x"};
  gateways.district = {"Altstadt", ""};
  gateways.x_m = {10.0, 20.0};
  gateways.y_m = {30.0, 40.0};
  KpiTable by_district;
  by_district.key_name = "district";
  by_district.keys = {"Altstadt", "Süd"};
  by_district.columns = {{"pdr", {0.99, 0.5}}, {"messages", {100.0, 2.0}}};
  {
    TraceWriter writer(path("run.h5"), sample_meta());
    writer.write_devices(devices);
    writer.write_gateways(gateways);
    writer.write_kpis({{"pdr", 0.97}, {"energy_j", 12.5}, {"nan_kpi", std::nan("")}});
    writer.write_kpi_table("by_district", by_district);
    writer.finish(true);
  }
  File file(path("run.h5"));
  EXPECT_EQ(read_column<uint32_t>(file, "devices/id", H5T_NATIVE_UINT32), devices.id);
  // (the string columns held as codes into their distinct values, written as the strings)
  EXPECT_EQ(devices.population.values.size(), 2u);
  EXPECT_EQ(read_strings(file, "devices/population"),
            (std::vector<std::string>{"river", "parking_lots", "river"}));
  EXPECT_EQ(read_strings(file, "devices/type"),
            (std::vector<std::string>{"river_level", "parking", "river_level"}));
  EXPECT_EQ(read_strings(file, "devices/district"), (std::vector<std::string>{"Altstadt", "Süd", ""}));
  EXPECT_EQ(read_column<double>(file, "devices/x_m", H5T_NATIVE_DOUBLE), devices.x_m);
  EXPECT_EQ(read_column<double>(file, "devices/y_m", H5T_NATIVE_DOUBLE), devices.y_m);
  EXPECT_EQ(read_string_attribute(file, "devices/x_m", "units"), "m");
  EXPECT_EQ(read_string_attribute(file, "devices/id", "units"), "");
  EXPECT_FALSE(read_string_attribute(file, "devices/id", "description").empty());

  EXPECT_EQ(read_column<uint32_t>(file, "gateways/id", H5T_NATIVE_UINT32), gateways.id);
  EXPECT_EQ(read_strings(file, "gateways/name"), gateways.name);
  EXPECT_EQ(read_strings(file, "gateways/district"), gateways.district);
  EXPECT_EQ(read_column<double>(file, "gateways/x_m", H5T_NATIVE_DOUBLE), gateways.x_m);
  EXPECT_EQ(read_column<double>(file, "gateways/y_m", H5T_NATIVE_DOUBLE), gateways.y_m);

  EXPECT_EQ(read_attribute<double>(file, "kpi", "pdr", H5T_NATIVE_DOUBLE), 0.97);
  EXPECT_EQ(read_attribute<double>(file, "kpi", "energy_j", H5T_NATIVE_DOUBLE), 12.5);
  EXPECT_TRUE(std::isnan(read_attribute<double>(file, "kpi", "nan_kpi", H5T_NATIVE_DOUBLE)));
  EXPECT_EQ(read_strings(file, "kpi/by_district/district"), by_district.keys);
  EXPECT_EQ(read_column<double>(file, "kpi/by_district/pdr", H5T_NATIVE_DOUBLE), (std::vector{0.99, 0.5}));
  EXPECT_EQ(read_column<double>(file, "kpi/by_district/messages", H5T_NATIVE_DOUBLE),
            (std::vector{100.0, 2.0}));
}

// One list says where each scalar KPI goes in /kpi and whether it is a count (output::kpi_attributes): the
// ordered group comes first, no name twice, and a listed count is written as an integer while a ratio, a
// count that is not whole and an unlisted name are written as doubles.
TEST_F(TraceWriterTest, KpiAttributesListEachNameOnceAndCountsAreIntegers) {
  const std::span<const KpiAttribute> listed = kpi_attributes();
  std::set<std::string_view> names;
  bool ordered = true;
  for (const KpiAttribute& a : listed) {
    EXPECT_TRUE(names.insert(a.name).second) << a.name << " listed twice";
    EXPECT_TRUE(ordered || !a.ordered) << a.name << ": an ordered KPI after one that is not";
    ordered = a.ordered;
  }
  EXPECT_TRUE(names.contains("cctv_event_clips"));  // a count (an f8 until the list was one)
  {
    TraceWriter writer(path("kpis.h5"), sample_meta());
    writer.write_kpis({{"cctv_event_clips", 264.0},
                       {"devices", 1000.0},
                       {"delivery_ratio", 0.5},
                       {"uplinks_sent", 7.5},
                       {"not_a_listed_kpi", 3.0}});
    writer.finish(true);
  }
  File file(path("kpis.h5"));
  const auto type_class = [&](const char* name) {
    const hid_t attribute = H5Aopen_by_name(file.id(), "kpi", name, H5P_DEFAULT, H5P_DEFAULT);
    EXPECT_GE(attribute, 0) << name;
    const hid_t type = H5Aget_type(attribute);
    const H5T_class_t c = H5Tget_class(type);
    H5Tclose(type);
    H5Aclose(attribute);
    return c;
  };
  EXPECT_EQ(type_class("cctv_event_clips"), H5T_INTEGER);
  EXPECT_EQ(read_attribute<int64_t>(file, "kpi", "cctv_event_clips", H5T_NATIVE_INT64), 264);
  EXPECT_EQ(type_class("devices"), H5T_INTEGER);
  EXPECT_EQ(type_class("delivery_ratio"), H5T_FLOAT);
  EXPECT_EQ(type_class("uplinks_sent"), H5T_FLOAT);  // not whole: kept as it is
  EXPECT_EQ(type_class("not_a_listed_kpi"), H5T_FLOAT);
}

TEST_F(TraceWriterTest, MessagesSpanSeveralChunksAndKeepNaN) {
  const size_t rows = 150000;
  const MessageBatch all = make_messages(0, rows);
  {
    TraceWriter writer(path("run.h5"), sample_meta());
    // Batches of awkward sizes: topping up the buffer, direct chunk writes and a remainder.
    size_t first = 0;
    for (size_t size : {1000u, 70000u, 5u, 65536u, 13459u}) {
      writer.append_messages(make_messages(first, size));
      first += size;
      EXPECT_EQ(writer.messages_written(), first);
    }
    ASSERT_EQ(first, rows);
    writer.finish(true);
  }
  File file(path("run.h5"));
  expect_messages(file, all);
  const Layout t_layout = layout(file, "messages/t_tx_s");
  EXPECT_EQ(t_layout.chunk, TraceWriter::kMessageChunkRows);
  EXPECT_TRUE(t_layout.shuffle);
  EXPECT_TRUE(t_layout.deflate);
  EXPECT_TRUE(t_layout.unlimited);
  EXPECT_EQ(read_string_attribute(file, "messages/t_delivered_s", "units"), "s");
  EXPECT_EQ(read_string_attribute(file, "messages/battery_mah_left", "units"), "mAh");
  EXPECT_EQ(read_string_attribute(file, "messages/channel_hz", "units"), "Hz");
}

TEST_F(TraceWriterTest, OneHugeBatchIsWrittenDirectly) {
  const MessageBatch all = make_messages(0, 3 * TraceWriter::kMessageChunkRows + 7);
  {
    TraceWriter writer(path("run.h5"), sample_meta());
    writer.append_messages(all);
    writer.finish(true);
  }
  File file(path("run.h5"));
  expect_messages(file, all);
}

TEST_F(TraceWriterTest, TinyTraceGetsSmallChunks) {
  const MessageBatch all = make_messages(0, 10);
  {
    TraceWriter writer(path("run.h5"), sample_meta());
    writer.append_messages(all);
    writer.finish(true);
  }
  File file(path("run.h5"));
  expect_messages(file, all);
  EXPECT_EQ(layout(file, "messages/device").chunk, 10u);
}

TEST_F(TraceWriterTest, EmptyTablesExistWithZeroRows) {
  {
    TraceWriter writer(path("run.h5"), sample_meta());
    writer.write_devices(DeviceTable{});
    writer.write_gateways(GatewayTable{});
    writer.append_messages(MessageBatch{});
    KpiTable empty;
    empty.key_name = "district";
    empty.columns = {{"pdr", {}}};
    writer.write_kpi_table("by_district", empty);
    writer.finish(true);
  }
  File file(path("run.h5"));
  for (const char* column : {"id", "population", "type", "district", "x_m", "y_m"}) {
    EXPECT_EQ(length(file, std::string("devices/") + column), 0u) << column;
  }
  for (const char* column : {"id", "name", "district", "x_m", "y_m"}) {
    EXPECT_EQ(length(file, std::string("gateways/") + column), 0u) << column;
  }
  expect_messages(file, MessageBatch{});
  EXPECT_EQ(length(file, "kpi/by_district/district"), 0u);
  EXPECT_EQ(length(file, "kpi/by_district/pdr"), 0u);
  EXPECT_EQ(complete_flag(file), 1);
}

TEST_F(TraceWriterTest, PartialFileUntilFinished) {
  const std::string final_path = path("run.h5");
  TraceWriter writer(final_path, sample_meta());
  EXPECT_EQ(writer.final_path(), final_path);
  EXPECT_TRUE(fs::exists(final_path + ".partial"));
  EXPECT_FALSE(fs::exists(final_path));
  writer.append_messages(make_messages(0, 100));
  writer.finish(true);
  EXPECT_FALSE(fs::exists(final_path + ".partial"));
  ASSERT_TRUE(fs::exists(final_path));
  writer.finish(false);  // later calls do nothing
  File file(final_path);
  EXPECT_EQ(complete_flag(file), 1);
  EXPECT_THROW(writer.append_messages(make_messages(0, 1)), OutputError);
}

// A writer destroyed without finish() belongs to a run that failed: its trace keeps the .partial name
// (nothing at the final path claims to be a finished trace) and every row appended.
TEST_F(TraceWriterTest, DestroyedWithoutFinishKeepsRowsAndIsIncomplete) {
  const MessageBatch all = make_messages(0, TraceWriter::kMessageChunkRows + 5);
  {
    TraceWriter writer(path("run.h5"), sample_meta());
    writer.append_messages(all);
  }
  EXPECT_FALSE(fs::exists(path("run.h5")));
  File file(path("run.h5.partial"));
  EXPECT_EQ(complete_flag(file), 0);
  expect_messages(file, all);
}

TEST_F(TraceWriterTest, FinishFalseMarksIncomplete) {
  {
    TraceWriter writer(path("run.h5"), sample_meta());
    writer.finish(false);
  }
  File file(path("run.h5"));
  EXPECT_EQ(complete_flag(file), 0);
}

void expect_create_error(const std::string& path, const std::string& reason) {
  try {
    TraceWriter writer(path, sample_meta());
    ADD_FAILURE() << "no OutputError for " << path;
  } catch (const OutputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("'" + path + "'"), std::string::npos) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
  }
  EXPECT_FALSE(fs::exists(path + ".partial"));
}

TEST_F(TraceWriterTest, UncreatablePathsThrowNamingThePath) {
  expect_create_error(path("no/such/dir/out.h5"), "No such file or directory");
  std::ofstream(path("regular_file")) << "x";
  expect_create_error(path("regular_file/out.h5"), "Not a directory");
  fs::create_directories(path("a_directory.h5"));
  expect_create_error(path("a_directory.h5"), "Is a directory");
  if (::geteuid() != 0) {  // root writes to read-only directories anyway
    fs::create_directories(path("read_only"));
    fs::permissions(path("read_only"), fs::perms::owner_read | fs::perms::owner_exec);
    expect_create_error(path("read_only/out.h5"), "Permission denied");
  }
}

TEST_F(TraceWriterTest, RaggedInputIsRejected) {
  TraceWriter writer(path("run.h5"), sample_meta());
  MessageBatch batch = make_messages(0, 3);
  batch.sf.pop_back();
  EXPECT_THROW(writer.append_messages(batch), std::invalid_argument);
  DeviceTable devices;
  devices.id = {1};
  EXPECT_THROW(writer.write_devices(devices), std::invalid_argument);
  KpiTable table;
  table.key_name = "district";
  table.keys = {"a"};
  table.columns = {{"pdr", {}}};
  EXPECT_THROW(writer.write_kpi_table("by_district", table), std::invalid_argument);
  EXPECT_THROW(writer.write_kpi_table("a/b", KpiTable{"district", {}, {}}), std::invalid_argument);
  writer.finish(true);  // the rejected calls wrote nothing
  File file(path("run.h5"));
  EXPECT_EQ(complete_flag(file), 1);
}

}  // namespace
}  // namespace citytwin::output

namespace citytwin::output {
namespace {

// The gzip level of a dataset's deflate filter; -1 without one.
int deflate_level(const h5read::File& file, const std::string& path) {
  const hid_t dataset = H5Dopen2(file.id(), path.c_str(), H5P_DEFAULT);
  const hid_t dcpl = H5Dget_create_plist(dataset);
  unsigned flags = 0;
  unsigned values[8] = {};
  size_t n_values = 8;
  const bool has =
      H5Pget_filter_by_id2(dcpl, H5Z_FILTER_DEFLATE, &flags, &n_values, values, 0, nullptr, nullptr) >= 0;
  H5Pclose(dcpl);
  H5Dclose(dataset);
  return has && n_values >= 1 ? static_cast<int>(values[0]) : -1;
}

// run.trace_compression: /messages, /devices and /gateways at the level asked (0: no filter, still
// chunked so that /messages grows), the same rows at every level, the small tables at level 1, the
// level in /meta, and a level past 9 refused.
TEST_F(TraceWriterTest, CompressionLevelAppliesToTheLargeTables) {
  const MessageBatch all = fixtures::make_messages(0, 70000);
  DeviceTable devices;
  devices.id = {0, 1};
  devices.population = {"a", "b"};
  devices.type = {"t", "u"};
  devices.district = {"d", ""};
  devices.x_m = {1.0, 2.0};
  devices.y_m = {3.0, 4.0};
  std::vector<uintmax_t> sizes;
  for (const uint32_t level : {0u, 1u, 6u}) {
    const std::string name = "level" + std::to_string(level) + ".h5";
    RunMeta meta = fixtures::sample_meta();
    meta.trace_compression = level;
    {
      TraceWriter writer(path(name), meta);
      writer.write_devices(devices);
      writer.append_messages(all);
      KpiTable table;
      table.key_name = "district";
      table.keys = {"d"};
      table.columns = {{"delivery_ratio", {0.5}}};
      writer.write_kpi_table("by_district", table);
      writer.finish(true);
    }
    h5read::File file(path(name));
    fixtures::expect_messages(file, all);
    EXPECT_EQ(h5read::read_attribute<int>(file, "meta", "trace_compression", H5T_NATIVE_INT),
              static_cast<int>(level));
    const int expected = level == 0 ? -1 : static_cast<int>(level);
    EXPECT_EQ(deflate_level(file, "messages/t_tx_s"), expected);
    EXPECT_EQ(h5read::layout(file, "messages/t_tx_s").shuffle, level != 0);
    EXPECT_EQ(h5read::layout(file, "messages/t_tx_s").chunk, TraceWriter::kMessageChunkRows);
    // A channel and a time on air take few values: deflated whole, not shuffled.
    for (const char* few : {"messages/channel_hz", "messages/airtime_s"}) {
      EXPECT_EQ(deflate_level(file, few), expected) << few;
      EXPECT_FALSE(h5read::layout(file, few).shuffle) << few;
    }
    EXPECT_EQ(deflate_level(file, "devices/x_m"), expected);
    EXPECT_EQ(deflate_level(file, "kpi/by_district/delivery_ratio"), 1);
    sizes.push_back(fs::file_size(path(name)));
  }
  EXPECT_GT(sizes[0], 2 * sizes[1]);  // the synthetic rows compress well
  EXPECT_LE(sizes[2], sizes[1]);
  RunMeta bad = fixtures::sample_meta();
  bad.trace_compression = 10;
  EXPECT_THROW(TraceWriter(path("bad.h5"), bad), OutputError);
  EXPECT_FALSE(fs::exists(path("bad.h5.partial")));
}

}  // namespace
}  // namespace citytwin::output
