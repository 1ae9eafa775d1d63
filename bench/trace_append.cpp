// What writing /messages costs the simulation thread, inline and with the writer thread (issue 13): reads
// the /messages rows of an existing trace, appends them again in batches of BATCH rows (as
// record::MessageLog::flush does each forward batch) to a new trace in each mode, and prints the CPU time
// of the calling thread inside append_messages (CLOCK_THREAD_CPUTIME_ID), the wall time of the appends
// and of finish(), and the process's CPU time (every thread).
//   build/bin/trace_append TRACE.h5 [BATCH=2000] [REPEATS=3] [OUT_DIR=/tmp]
#include <hdf5.h>
#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "output/trace_writer.hpp"

namespace {

using citytwin::output::MessageBatch;
using citytwin::output::MessageWriting;
using citytwin::output::TraceWriter;

template <class T>
void read_column(hid_t file, const char* name, hid_t memory_type, std::vector<T>& values) {
  const std::string path = std::string("messages/") + name;
  const hid_t set = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  if (set < 0) {
    std::fprintf(stderr, "no %s\n", path.c_str());
    std::exit(2);
  }
  const hid_t space = H5Dget_space(set);
  values.resize(static_cast<size_t>(H5Sget_simple_extent_npoints(space)));
  if (!values.empty()) H5Dread(set, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  H5Sclose(space);
  H5Dclose(set);
}

MessageBatch read_messages(const std::string& path) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) std::exit(2);
  MessageBatch m;
  read_column(file, "device", H5T_NATIVE_UINT32, m.device);
  read_column(file, "t_tx_s", H5T_NATIVE_DOUBLE, m.t_tx_s);
  read_column(file, "radio", H5T_NATIVE_UINT8, m.radio);
  read_column(file, "sf", H5T_NATIVE_UINT8, m.sf);
  read_column(file, "channel_hz", H5T_NATIVE_UINT32, m.channel_hz);
  read_column(file, "tx_power_dbm", H5T_NATIVE_FLOAT, m.tx_power_dbm);
  read_column(file, "airtime_s", H5T_NATIVE_DOUBLE, m.airtime_s);
  read_column(file, "gateways_heard", H5T_NATIVE_UINT16, m.gateways_heard);
  read_column(file, "rssi_dbm", H5T_NATIVE_FLOAT, m.rssi_dbm);
  read_column(file, "snr_db", H5T_NATIVE_FLOAT, m.snr_db);
  read_column(file, "retransmissions", H5T_NATIVE_UINT8, m.retransmissions);
  read_column(file, "delivered", H5T_NATIVE_UINT8, m.delivered);
  read_column(file, "fail_reason", H5T_NATIVE_UINT8, m.fail_reason);
  read_column(file, "failure", H5T_NATIVE_INT16, m.failure);
  read_column(file, "t_delivered_s", H5T_NATIVE_DOUBLE, m.t_delivered_s);
  read_column(file, "battery_mah_left", H5T_NATIVE_DOUBLE, m.battery_mah_left);
  H5Fclose(file);
  return m;
}

template <class T>
void slice(const std::vector<T>& from, size_t first, size_t count, std::vector<T>& to) {
  to.assign(from.begin() + static_cast<std::ptrdiff_t>(first),
            from.begin() + static_cast<std::ptrdiff_t>(first + count));
}

void take(const MessageBatch& all, size_t first, size_t count, MessageBatch& out) {
  slice(all.device, first, count, out.device);
  slice(all.t_tx_s, first, count, out.t_tx_s);
  slice(all.radio, first, count, out.radio);
  slice(all.sf, first, count, out.sf);
  slice(all.channel_hz, first, count, out.channel_hz);
  slice(all.tx_power_dbm, first, count, out.tx_power_dbm);
  slice(all.airtime_s, first, count, out.airtime_s);
  slice(all.gateways_heard, first, count, out.gateways_heard);
  slice(all.rssi_dbm, first, count, out.rssi_dbm);
  slice(all.snr_db, first, count, out.snr_db);
  slice(all.retransmissions, first, count, out.retransmissions);
  slice(all.delivered, first, count, out.delivered);
  slice(all.fail_reason, first, count, out.fail_reason);
  slice(all.failure, first, count, out.failure);
  slice(all.t_delivered_s, first, count, out.t_delivered_s);
  slice(all.battery_mah_left, first, count, out.battery_mah_left);
}

double thread_cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double process_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return s(u.ru_utime) + s(u.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: trace_append TRACE.h5 [BATCH=2000] [REPEATS=3] [OUT_DIR=/tmp]\n");
    return 2;
  }
  const MessageBatch all = read_messages(argv[1]);
  const size_t batch_rows = argc > 2 ? std::stoul(argv[2]) : 2000;
  const int repeats = argc > 3 ? std::stoi(argv[3]) : 3;
  const std::string out = (std::filesystem::path(argc > 4 ? argv[4] : "/tmp") / "trace_append.h5").string();
  std::printf("%zu rows in batches of %zu\n", all.size(), batch_rows);
  std::printf("%-13s %3s %14s %12s %14s %10s %14s\n", "mode", "run", "caller_cpu_s", "us_per_row",
              "append_wall_s", "finish_s", "process_cpu_s");
  citytwin::output::RunMeta meta;
  meta.citytwin_version = "bench";
  MessageBatch batch;
  for (int run = 1; run <= repeats; ++run) {
    for (const MessageWriting writing : {MessageWriting::Inline, MessageWriting::WriterThread}) {
      const double cpu0 = process_cpu_s();
      double caller_cpu = 0.0, append_wall = 0.0;
      TraceWriter writer(out, meta, true, writing);
      for (size_t first = 0; first < all.size(); first += batch_rows) {
        take(all, first, std::min(batch_rows, all.size() - first), batch);
        const double c = thread_cpu_s();
        const auto w = std::chrono::steady_clock::now();
        writer.append_messages(batch);
        append_wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - w).count();
        caller_cpu += thread_cpu_s() - c;
      }
      const auto f = std::chrono::steady_clock::now();
      writer.finish(true);
      const double finish_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - f).count();
      std::printf("%-13s %3d %14.3f %12.3f %14.3f %10.3f %14.3f\n",
                  writing == MessageWriting::Inline ? "inline" : "writer_thread", run, caller_cpu,
                  1e6 * caller_cpu / static_cast<double>(all.size()), append_wall, finish_s,
                  process_cpu_s() - cpu0);
    }
  }
  std::filesystem::remove(out);
  return 0;
}
