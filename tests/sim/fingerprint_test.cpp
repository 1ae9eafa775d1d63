// Determinism as a fingerprint: every scenario in scenarios/ gives the same /messages and /kpi, value for
// value, at 1 and at 2 threads. Not compared with stored values (any model change would move those): the
// two runs are compared with each other. A fingerprint is one 64-bit FNV-1a hash per dataset and per
// attribute, so that a failure names what differs. The sanitizer build (setup.sh --sanitize) runs these
// too: a short run of every scenario under ASan + UBSan.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sim/app/isolated_run.hpp"
#include "sim_test_support.hpp"
#include "tests/sim/rooms.hpp"

namespace citytwin::sim {
namespace {

// Simulated time per run: enough for every scenario's traffic and first events, short enough to keep the
// suite (and its sanitizer build) fast.
constexpr const char* kDuration = "3 h";

using Fingerprint = std::map<std::string, uint64_t>;  // dataset or "object@attribute" -> hash

uint64_t fnv1a(const void* data, size_t size, uint64_t h = 14695981039346656037ull) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) h = (h ^ bytes[i]) * 1099511628211ull;
  return h;
}

// The values of a dataset or attribute: numbers as their native bytes, strings as their characters
// (variable-length strings are pointers in memory, so they are read and hashed one by one).
template <typename Read>
uint64_t hash_values(hid_t file_type, hid_t space, Read read) {
  const auto n = static_cast<size_t>(H5Sget_simple_extent_npoints(space));
  uint64_t h = fnv1a(&n, sizeof n);
  if (H5Tget_class(file_type) == H5T_STRING && H5Tis_variable_str(file_type) > 0) {
    const hid_t mem = H5Tcopy(H5T_C_S1);
    H5Tset_size(mem, H5T_VARIABLE);
    std::vector<char*> strings(n);
    if (n > 0) read(mem, strings.data());
    for (char* s : strings) h = fnv1a(s, s ? std::strlen(s) + 1 : 0, h);
    for (char* s : strings) H5free_memory(s);
    H5Tclose(mem);
    return h;
  }
  const hid_t mem = H5Tget_native_type(file_type, H5T_DIR_ASCEND);
  std::vector<unsigned char> bytes(n * H5Tget_size(mem));
  if (n > 0) read(mem, bytes.data());
  H5Tclose(mem);
  return fnv1a(bytes.data(), bytes.size(), h);
}

herr_t hash_attribute(hid_t object, const char* name, const H5A_info_t*, void* data) {
  auto& [prefix, fingerprint] = *static_cast<std::pair<std::string, Fingerprint*>*>(data);
  const hid_t a = H5Aopen(object, name, H5P_DEFAULT);
  const hid_t type = H5Aget_type(a);
  const hid_t space = H5Aget_space(a);
  // A dimension scale's DIMENSION_LIST and REFERENCE_LIST hold object references (file addresses, which
  // depend on the file's layout, not on the run's values): their presence is compared, not their bytes.
  (*fingerprint)[prefix + "@" + name] =
      H5Tdetect_class(type, H5T_REFERENCE) > 0
          ? fnv1a(name, std::strlen(name))
          : hash_values(type, space, [a](hid_t mem, void* buf) { H5Aread(a, mem, buf); });
  H5Sclose(space);
  H5Tclose(type);
  H5Aclose(a);
  return 0;
}

herr_t hash_object(hid_t group, const char* name, const H5O_info_t* info, void* data) {
  auto& [root, fingerprint] = *static_cast<std::pair<std::string, Fingerprint*>*>(data);
  const std::string path = std::string(name) == "." ? root : root + "/" + name;
  const hid_t object = H5Oopen(group, name, H5P_DEFAULT);
  std::pair<std::string, Fingerprint*> attributes{path, fingerprint};
  H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, nullptr, hash_attribute, &attributes);
  if (info->type == H5O_TYPE_DATASET) {
    const hid_t type = H5Dget_type(object);
    const hid_t space = H5Dget_space(object);
    (*fingerprint)[path] = hash_values(type, space, [object](hid_t mem, void* buf) {
      H5Dread(object, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    });
    H5Sclose(space);
    H5Tclose(type);
  }
  H5Oclose(object);
  return 0;
}

// Every dataset and attribute under /messages and /kpi (tables, their columns' units, the KPI attributes).
Fingerprint fingerprint(const std::string& file) {
  Fingerprint f;
  const hid_t h = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (h < 0) throw std::runtime_error("cannot open " + file);
  for (const std::string root : {"/messages", "/kpi"}) {
    const hid_t group = H5Gopen2(h, root.c_str(), H5P_DEFAULT);
    if (group < 0) throw std::runtime_error("no " + root + " in " + file);
    std::pair<std::string, Fingerprint*> data{root, &f};
    H5Ovisit2(group, H5_INDEX_NAME, H5_ITER_INC, hash_object, &data, H5O_INFO_BASIC);
    H5Gclose(group);
  }
  H5Fclose(h);
  return f;
}

std::vector<std::string> scenario_files() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(CITYTWIN_SOURCE_DIR "/scenarios"))
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

class Fingerprints : public testing::TestWithParam<std::string> {
 protected:
  Fingerprint run_at(const test::TempDir& dir, int threads) {
    RunOptions options;
    options.output_path = dir.file(std::to_string(threads) + ".h5");
    options.threads = threads;
    options.progress = false;
    const IsolatedOutcome outcome = run_isolated({CITYTWIN_SOURCE_DIR "/scenarios/" + GetParam() + ".yaml",
                                                  false,
                                                  {std::string("run.duration=") + kDuration}},
                                                 options);
    EXPECT_EQ(outcome.status, IsolatedOutcome::Status::Ok) << outcome.error;
    EXPECT_TRUE(outcome.summary.complete);
    return fingerprint(options.output_path);
  }
};

TEST_P(Fingerprints, OneAndTwoThreadsAgree) {
  test::TempDir dir;
  const Fingerprint one = run_at(dir, 1);
  const Fingerprint two = run_at(dir, 2);
  EXPECT_GE(one.size(), 20u) << "too little in the trace to compare";
  EXPECT_TRUE(one.contains("/messages/t_tx_s"));
  EXPECT_TRUE(one.contains("/kpi@delivery_ratio"));
  for (const auto& [name, hash] : one) {
    const auto it = two.find(name);
    if (it == two.end())
      ADD_FAILURE() << name << ": only at 1 thread";
    else
      EXPECT_EQ(hash, it->second) << name << " differs between 1 and 2 threads";
  }
  for (const auto& [name, hash] : two)
    if (!one.contains(name)) ADD_FAILURE() << name << ": only at 2 threads";
}

// Guards the fingerprint itself: another seed must change it.
TEST(Fingerprint, SeesAnotherSeed) {
  test::TempDir dir;
  Fingerprint f[2];
  for (int seed : {0, 1}) {
    RunOptions options;
    options.output_path = dir.file(std::to_string(seed) + ".h5");
    options.seed = 5 + seed;
    options.threads = 1;
    options.progress = false;
    run_isolated({CITYTWIN_SOURCE_DIR "/scenarios/quickstart.yaml", false, {"run.duration=2 h"}}, options);
    f[seed] = fingerprint(options.output_path);
  }
  EXPECT_NE(f[0].at("/messages/t_tx_s"), f[1].at("/messages/t_tx_s"));
  EXPECT_EQ(f[0].at("/kpi/by_district/district"), f[1].at("/kpi/by_district/district"));  // same city
}

INSTANTIATE_TEST_SUITE_P(Scenarios, Fingerprints, testing::ValuesIn(scenario_files()),
                         [](const testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace citytwin::sim
