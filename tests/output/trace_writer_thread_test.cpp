// /messages written by the writer thread (MessageWriting::WriterThread): the same file content as
// written inline, the writer thread's errors reported by the caller's next call with the same text, and
// nothing handed over lost when the writer is destroyed without finish() or the process is killed.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "output/trace_writer.hpp"
#include "tests/output/child_process.hpp"
#include "tests/output/h5_reader.hpp"
#include "tests/output/trace_fixtures.hpp"

namespace citytwin::output {
namespace {

using child::kSkip;
using child::run_in_child;
using fixtures::complete_flag;
using fixtures::expect_messages;
using fixtures::make_messages;
using fixtures::sample_meta;
using fixtures::TraceWriterTest;
using h5read::File;
using h5read::length;
using h5read::read_attribute;

namespace fs = std::filesystem;

constexpr size_t kChunk = TraceWriter::kMessageChunkRows;

const char* const kColumns[] = {"device",      "t_tx_s",       "radio",           "sf",
                                "channel_hz",  "tx_power_dbm", "airtime_s",       "gateways_heard",
                                "rssi_dbm",    "snr_db",       "retransmissions", "delivered",
                                "fail_reason", "failure",      "t_delivered_s",   "battery_mah_left"};

// Batches of the sizes a run hands over and some it does not: one row, an empty batch, a few thousand,
// exactly a chunk, more than a chunk, several chunks at once.
std::vector<MessageBatch> batches_of(const std::vector<size_t>& sizes) {
  std::vector<MessageBatch> batches;
  size_t first = 0;
  for (const size_t rows : sizes) {
    batches.push_back(make_messages(first, rows));
    first += rows;
  }
  return batches;
}

MessageBatch concatenated(const std::vector<size_t>& sizes) {
  size_t rows = 0;
  for (const size_t n : sizes) rows += n;
  return make_messages(0, rows);
}

MessageBatch every_nth_device(const MessageBatch& all, uint32_t every) {
  MessageBatch kept;
  for (size_t r = 0; r < all.size(); ++r) {
    if (all.device[r] % every != 0) continue;
    kept.device.push_back(all.device[r]);
    kept.t_tx_s.push_back(all.t_tx_s[r]);
    kept.radio.push_back(all.radio[r]);
    kept.sf.push_back(all.sf[r]);
    kept.channel_hz.push_back(all.channel_hz[r]);
    kept.tx_power_dbm.push_back(all.tx_power_dbm[r]);
    kept.airtime_s.push_back(all.airtime_s[r]);
    kept.gateways_heard.push_back(all.gateways_heard[r]);
    kept.rssi_dbm.push_back(all.rssi_dbm[r]);
    kept.snr_db.push_back(all.snr_db[r]);
    kept.retransmissions.push_back(all.retransmissions[r]);
    kept.delivered.push_back(all.delivered[r]);
    kept.fail_reason.push_back(all.fail_reason[r]);
    kept.failure.push_back(all.failure[r]);
    kept.t_delivered_s.push_back(all.t_delivered_s[r]);
    kept.battery_mah_left.push_back(all.battery_mah_left[r]);
  }
  return kept;
}

void write_trace(const std::string& path, const RunMeta& meta, MessageWriting writing,
                 const std::vector<MessageBatch>& batches) {
  TraceWriter writer(path, meta, false, writing);
  for (const MessageBatch& batch : batches) writer.append_messages(batch);
  writer.finish(true);
}

std::vector<unsigned char> raw_values(hid_t dataset) {
  const hid_t file_type = H5Dget_type(dataset);
  const hid_t space = H5Dget_space(dataset);
  const hssize_t rows = H5Sget_simple_extent_npoints(space);
  std::vector<unsigned char> bytes(static_cast<size_t>(rows) * H5Tget_size(file_type));
  if (rows > 0) {
    EXPECT_GE(H5Dread(dataset, file_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()), 0);
  }
  H5Sclose(space);
  H5Tclose(file_type);
  return bytes;
}

// The chunks as stored (compressed), with their filter masks, in order.
std::vector<std::vector<unsigned char>> stored_chunks(hid_t dataset) {
  const hid_t space = H5Dget_space(dataset);
  hsize_t chunks = 0;
  EXPECT_GE(H5Dget_num_chunks(dataset, space, &chunks), 0);
  std::vector<std::vector<unsigned char>> result;
  for (hsize_t i = 0; i < chunks; ++i) {
    hsize_t offset = 0, size = 0;
    haddr_t address = 0;
    unsigned mask = 0;
    EXPECT_GE(H5Dget_chunk_info(dataset, space, i, &offset, &mask, &address, &size), 0);
    std::vector<unsigned char> bytes(static_cast<size_t>(size));
    uint32_t filters = 0;
    EXPECT_GE(H5Dread_chunk(dataset, H5P_DEFAULT, &offset, &filters, bytes.data()), 0);
    bytes.push_back(static_cast<unsigned char>(filters));
    result.push_back(std::move(bytes));
  }
  H5Sclose(space);
  return result;
}

// Every /messages dataset of `b` is `a`'s: type, layout and filters, values, and the stored chunks byte
// for byte (so the compressed data is the same too, not only what it decompresses to).
void expect_same_messages(const std::string& a_path, const std::string& b_path) {
  // h5read::layout asks for filters an unfiltered dataset does not have: no error stack printed for it.
  H5E_auto2_t print = nullptr;
  void* print_data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &print, &print_data);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  struct Restore {
    H5E_auto2_t print;
    void* data;
    ~Restore() { H5Eset_auto2(H5E_DEFAULT, print, data); }
  } restore{print, print_data};
  File a(a_path), b(b_path);
  ASSERT_GE(a.id(), 0);
  ASSERT_GE(b.id(), 0);
  EXPECT_EQ(read_attribute<uint64_t>(a, "messages", "rows_written", H5T_NATIVE_UINT64),
            read_attribute<uint64_t>(b, "messages", "rows_written", H5T_NATIVE_UINT64));
  for (const char* column : kColumns) {
    const std::string name = std::string("messages/") + column;
    const h5read::Layout la = h5read::layout(a, name), lb = h5read::layout(b, name);
    EXPECT_EQ(la.chunk, lb.chunk) << name;
    EXPECT_EQ(la.shuffle, lb.shuffle) << name;
    EXPECT_EQ(la.deflate, lb.deflate) << name;
    const hid_t da = H5Dopen2(a.id(), name.c_str(), H5P_DEFAULT);
    const hid_t db = H5Dopen2(b.id(), name.c_str(), H5P_DEFAULT);
    ASSERT_GE(da, 0) << name;
    ASSERT_GE(db, 0) << name;
    const hid_t ta = H5Dget_type(da), tb = H5Dget_type(db);
    EXPECT_GT(H5Tequal(ta, tb), 0) << name;
    H5Tclose(ta);
    H5Tclose(tb);
    EXPECT_EQ(raw_values(da), raw_values(db)) << name;
    EXPECT_EQ(stored_chunks(da), stored_chunks(db)) << name;
    H5Dclose(da);
    H5Dclose(db);
  }
}

TEST_F(TraceWriterTest, WriterThreadWritesTheSameMessagesAsInline) {
  const std::vector<size_t> sizes = {1, 4999, 70000, 0, kChunk, 3 * kChunk + 7, 12345, 3};
  const std::vector<MessageBatch> batches = batches_of(sizes);
  const MessageBatch all = concatenated(sizes);
  struct Case {
    const char* name;
    RunMeta meta;
  };
  std::vector<Case> cases;
  cases.push_back({"full", sample_meta()});
  cases.push_back({"sample", sample_meta()});
  cases.back().meta.trace = "sample";
  cases.back().meta.trace_every = 3;
  cases.push_back({"uncompressed", sample_meta()});
  cases.back().meta.trace_compression = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string inline_path = path(std::string(c.name) + "_inline.h5");
    const std::string thread_path = path(std::string(c.name) + "_thread.h5");
    write_trace(inline_path, c.meta, MessageWriting::Inline, batches);
    write_trace(thread_path, c.meta, MessageWriting::WriterThread, batches);
    expect_same_messages(inline_path, thread_path);
    File file(thread_path);
    EXPECT_EQ(complete_flag(file), 1);
    expect_messages(file, c.meta.trace == "sample" ? every_nth_device(all, 3) : all);
  }
}

// A trace shorter than one chunk: the writer thread never gets a chunk, finish() writes the rows with
// chunks no larger than the table, as inline.
TEST_F(TraceWriterTest, WriterThreadTinyTraceIsTheSameAsInline) {
  const std::vector<size_t> sizes = {10, 0, 990};
  write_trace(path("inline.h5"), sample_meta(), MessageWriting::Inline, batches_of(sizes));
  write_trace(path("thread.h5"), sample_meta(), MessageWriting::WriterThread, batches_of(sizes));
  expect_same_messages(path("inline.h5"), path("thread.h5"));
  File file(path("thread.h5"));
  EXPECT_EQ(h5read::layout(file, "messages/t_tx_s").chunk, 1000u);
  expect_messages(file, concatenated(sizes));
}

// A stopped run (finish(false)) and a failed one (destroyed without finish) keep every row handed over,
// the chunks still queued for the writer thread included; neither waits forever (the child's watchdog).
TEST_F(TraceWriterTest, WriterThreadKeepsEveryRowWhenStoppedOrDestroyed) {
  const std::vector<size_t> sizes = {5 * kChunk + 17, 100, 2 * kChunk};
  const MessageBatch all = concatenated(sizes);
  for (const bool destroy : {false, true}) {
    SCOPED_TRACE(destroy ? "destroyed without finish" : "finish(false)");
    const std::string final_path = path(destroy ? "destroyed.h5" : "stopped.h5");
    const int status = run_in_child(
        [&] {
          TraceWriter writer(final_path, sample_meta(), false, MessageWriting::WriterThread);
          for (const MessageBatch& batch : batches_of(sizes)) writer.append_messages(batch);
          if (writer.messages_written() != all.size()) return 10;
          if (!destroy) writer.finish(false);
          return 0;
        },
        60);
    ASSERT_TRUE(WIFEXITED(status)) << "child ended by signal "
                                   << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    ASSERT_EQ(WEXITSTATUS(status), 0);
    // A stopped run's trace gets its final name (complete = 0); a failed one keeps its .partial name.
    const std::string written = destroy ? final_path + ".partial" : final_path;
    EXPECT_EQ(fs::exists(final_path), !destroy);
    File file(written);
    ASSERT_GE(file.id(), 0);
    EXPECT_EQ(complete_flag(file), 0);
    expect_messages(file, all);
  }
}

// Killed with chunks still queued: the .partial opens, and /messages@rows_written counts only rows that
// are there (the queued chunks are lost, as the buffered rows always were).
TEST_F(TraceWriterTest, WriterThreadKilledWithChunksQueuedLeavesAReadablePartial) {
  const std::string final_path = path("run.h5");
  const size_t rows = 6 * kChunk + 1000;
  const int status = run_in_child([&] {
    auto* writer = new TraceWriter(final_path, sample_meta(), false, MessageWriting::WriterThread);
    for (size_t first = 0; first < rows; first += 10'000)
      writer->append_messages(make_messages(first, std::min<size_t>(10'000, rows - first)));
    ::_exit(0);  // as if killed: no destructor, no HDF5 shutdown, the writer thread mid-chunk
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status));
  File file(final_path + ".partial");
  ASSERT_GE(file.id(), 0);
  EXPECT_EQ(complete_flag(file), 0);
  const auto written = read_attribute<uint64_t>(file, "messages", "rows_written", H5T_NATIVE_UINT64);
  EXPECT_EQ(written % kChunk, 0u);
  EXPECT_LE(written, rows);
  EXPECT_GE(length(file, "messages/battery_mah_left"), written);
  auto battery = h5read::read_column<double>(file, "messages/battery_mah_left", H5T_NATIVE_DOUBLE);
  battery.resize(written);
  EXPECT_EQ(battery, make_messages(0, written).battery_mah_left);
}

// What a child saw of a failing trace, written to `report`: the append's error, then finish's.
struct Failure {
  std::string append, later_append, finish;
};

Failure read_report(const std::string& report) {
  std::ifstream in(report);
  Failure seen;
  std::getline(in, seen.append);
  std::getline(in, seen.later_append);
  std::getline(in, seen.finish);
  return seen;
}

// Appends until the writer refuses (appends of 10,000 rows, up to `max_rows`), tries one more, then
// finishes as complete (which must fail); the three messages go to `report`. 0, or a check's code.
int append_until_refused(const std::string& final_path, MessageWriting writing, size_t max_rows,
                         const std::string& report) {
  Failure seen;
  {
    TraceWriter writer(final_path, sample_meta(), false, writing);
    try {
      for (size_t first = 0; first < max_rows; first += 10'000)
        writer.append_messages(make_messages(first, 10'000));
    } catch (const OutputError& e) {
      seen.append = e.what();
    }
    if (seen.append.empty()) return 10;
    try {
      writer.append_messages(make_messages(0, 10));
      return 11;  // the rows after a failed chunk would leave a hole: refused
    } catch (const OutputError& e) {
      seen.later_append = e.what();
    }
    try {
      writer.finish(true);
      return 12;  // a trace whose writing failed is never complete
    } catch (const OutputError& e) {
      seen.finish = e.what();
    }
  }
  std::ofstream out(report);
  out << seen.append << '\n' << seen.later_append << '\n' << seen.finish << '\n';
  return out.flush() ? 0 : 13;
}

// The .partial left by append_until_refused: readable, incomplete, every row it counts there.
void expect_refused_trace(const std::string& partial) {
  File file(partial);
  ASSERT_GE(file.id(), 0);
  EXPECT_EQ(complete_flag(file), 0);
  const auto rows = read_attribute<uint64_t>(file, "messages", "rows_written", H5T_NATIVE_UINT64);
  EXPECT_GE(rows, kChunk);
  EXPECT_GE(length(file, "messages/battery_mah_left"), rows);
  auto battery = h5read::read_column<double>(file, "messages/battery_mah_left", H5T_NATIVE_DOUBLE);
  battery.resize(rows);
  EXPECT_EQ(battery, make_messages(0, rows).battery_mah_left);
}

// The file size limit met on the writer thread: the caller's next append reports it with the same text
// as when the simulation thread writes, later appends are refused, finish(true) fails, and the process
// exits normally (the limit never reaches HDF5, so no SIGXFSZ and no crash at exit).
TEST_F(TraceWriterTest, WriterThreadErrorIsReportedByTheNextCallWithTheSameText) {
  const std::string final_path = path("run.h5");
  Failure seen[2];
  for (const MessageWriting writing : {MessageWriting::Inline, MessageWriting::WriterThread}) {
    const bool threaded = writing == MessageWriting::WriterThread;
    SCOPED_TRACE(threaded ? "writer thread" : "inline");
    const std::string report = path(threaded ? "thread.txt" : "inline.txt");
    const int status = run_in_child([&] {
      const rlimit limit{6 << 20, 6 << 20};
      if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return kSkip;
      return append_until_refused(final_path, writing, 100'000'000, report);
    });
    ASSERT_TRUE(WIFEXITED(status)) << "child ended by signal "
                                   << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    if (WEXITSTATUS(status) == kSkip) GTEST_SKIP() << "cannot set RLIMIT_FSIZE";
    ASSERT_EQ(WEXITSTATUS(status), 0) << "see the child's check with this code";
    EXPECT_FALSE(fs::exists(final_path));
    EXPECT_LE(fs::file_size(final_path + ".partial"), uint64_t{6} << 20);
    expect_refused_trace(final_path + ".partial");
    seen[threaded] = read_report(report);
    fs::rename(final_path + ".partial", path(threaded ? "thread.h5.partial" : "inline.h5.partial"));
  }
  std::fprintf(stderr, "inline: %s\nthread: %s\n", seen[0].append.c_str(), seen[1].append.c_str());
  EXPECT_EQ(seen[1].append, seen[0].append);
  EXPECT_NE(seen[1].append.find("File too large"), std::string::npos);
  EXPECT_NE(seen[1].append.find("'" + final_path + ".partial'"), std::string::npos);
  EXPECT_NE(seen[1].later_append.find("'" + final_path + ".partial'"), std::string::npos);
  EXPECT_NE(seen[1].finish.find("complete = 0"), std::string::npos);
}

// A full disk (a private 8 MiB tmpfs) met on the writer thread, reported like the file size limit.
TEST_F(TraceWriterTest, WriterThreadFullDiskIsReportedAndTheProcessExitsCleanly) {
  const std::string dir = path("tiny_disk");
  fs::create_directories(dir);
  const std::string report = path("report.txt");
  const int status = run_in_child([&] {
    if (!child::mount_private_tmpfs(dir, "size=8m")) return kSkip;
    const std::string final_path = dir + "/run.h5";
    if (const int code = append_until_refused(final_path, MessageWriting::WriterThread, 10'000'000, report))
      return code;
    if (fs::exists(final_path)) return 20;
    // The parent cannot see the child's file system: the checks of the file run here, as exit codes.
    File file(final_path + ".partial");
    if (file.id() < 0) return 21;
    if (complete_flag(file) != 0) return 22;
    const auto rows = read_attribute<uint64_t>(file, "messages", "rows_written", H5T_NATIVE_UINT64);
    if (rows < kChunk || rows > length(file, "messages/battery_mah_left")) return 23;
    auto battery = h5read::read_column<double>(file, "messages/battery_mah_left", H5T_NATIVE_DOUBLE);
    battery.resize(rows);
    if (battery != make_messages(0, rows).battery_mah_left) return 24;
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status)) << "child ended by signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  if (WEXITSTATUS(status) == kSkip) GTEST_SKIP() << "cannot mount a private tmpfs here";
  ASSERT_EQ(WEXITSTATUS(status), 0) << "see the child's check with this code";
  const Failure seen = read_report(report);
  EXPECT_NE(seen.append.find("No space left on device"), std::string::npos) << seen.append;
  EXPECT_NE(seen.append.find("'" + dir + "/run.h5.partial'"), std::string::npos) << seen.append;
}

}  // namespace
}  // namespace citytwin::output
