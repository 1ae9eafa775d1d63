// Helpers for the simulation tests: a temporary directory, running the CLI, reading trace columns.
#pragma once

#include <hdf5.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace citytwin::test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "citytwin-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // A scenario written here for the CLI is also, with CITYTWIN_FUZZ_SEEDS_DIR set, a seed for the loader's
  // fuzzer (tests/fuzz/README.md), like the loader tests' texts.
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    const char* seeds = std::getenv("CITYTWIN_FUZZ_SEEDS_DIR");
    if (seeds != nullptr && name.ends_with(".yaml"))
      std::ofstream(std::string(seeds) + "/cli-" + std::to_string(std::hash<std::string>{}(text)) + ".yaml")
          << text;
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed");
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) r.output.append(buf, n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// The raw bytes of a 1-D dataset (in its file type, read as the native equivalent).
inline std::vector<unsigned char> read_dataset_bytes(const std::string& file, const std::string& dataset) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw std::runtime_error("cannot open " + file);
  const hid_t d = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
  if (d < 0) {
    H5Fclose(f);
    throw std::runtime_error("no dataset " + dataset + " in " + file);
  }
  const hid_t type = H5Dget_type(d);
  const hid_t native = H5Tget_native_type(type, H5T_DIR_ASCEND);
  const hid_t space = H5Dget_space(d);
  const auto n = static_cast<size_t>(H5Sget_simple_extent_npoints(space));
  std::vector<unsigned char> bytes(n * H5Tget_size(native));
  if (n > 0) H5Dread(d, native, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
  H5Sclose(space);
  H5Tclose(native);
  H5Tclose(type);
  H5Dclose(d);
  H5Fclose(f);
  return bytes;
}

inline std::vector<double> read_doubles(const std::string& file, const std::string& dataset) {
  const auto bytes = read_dataset_bytes(file, dataset);
  std::vector<double> v(bytes.size() / sizeof(double));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(double));
  return v;
}

inline int read_int_attribute(const std::string& file, const std::string& object, const std::string& name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw std::runtime_error("cannot open " + file);
  const hid_t a = H5Aopen_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  int value = -1;
  if (a >= 0) {
    H5Aread(a, H5T_NATIVE_INT, &value);
    H5Aclose(a);
  }
  H5Fclose(f);
  return value;
}

// A double attribute (a KPI of /kpi); NaN when it is missing.
inline double read_double_attribute(const std::string& file, const std::string& object,
                                    const std::string& name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw std::runtime_error("cannot open " + file);
  const hid_t a = H5Aopen_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  double value = std::numeric_limits<double>::quiet_NaN();
  if (a >= 0) {
    H5Aread(a, H5T_NATIVE_DOUBLE, &value);
    H5Aclose(a);
  }
  H5Fclose(f);
  return value;
}

// The pure-ALOHA field of the collision tests: `devices` sensors (population `sensors`) on a 400 m disc
// around one gateway, Poisson reports of 10 B every interval_s on one channel at SF7 (41.216 ms on the
// air), capture off. The caller appends its own sections (run:, attacks:).
inline std::string aloha_field_yaml(int devices, double interval_s) {
  return "city:\n"
         "  districts:\n"
         "    - {name: field, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
         "devices:\n"
         "  - name: sensors\n"
         "    count: " +
         std::to_string(devices) +
         "\n"
         "    disc: {centre: [500 m, 500 m], radius: 400 m}\n"
         "    traffic: poisson\n"
         "    interval: " +
         std::to_string(interval_s) +
         " s\n"
         "    payload: 10 B\n"
         "    mac_overhead: 0 B\n"
         "    radio: {sf: 7, bandwidth: 125 kHz, coding_rate: 4/5, preamble: 8, header: explicit,\n"
         "            ldro: off, channels: [868.1 MHz]}\n"
         "gateways:\n"
         "  - {name: gw, position: [500 m, 500 m]}\n"
         "radio:\n"
         "  capture: {enabled: false}\n";
}

}  // namespace citytwin::test
