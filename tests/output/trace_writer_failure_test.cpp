// The trace writer when the process dies or the disk fills up: each case runs in a child process, so
// that the child's exit (HDF5's own clean-up at exit included) is part of what is tested.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "output/trace_writer.hpp"
#include "tests/output/child_process.hpp"
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
using h5read::length;
using h5read::read_attribute;
using h5read::read_column;
using h5read::read_string_attribute;

namespace fs = std::filesystem;

using child::kSkip;
using child::mount_private_tmpfs;
using child::run_in_child;

// A process killed mid-run (no destructor, no finish) leaves a readable .partial file holding /meta
// and every message chunk flushed so far.
TEST_F(TraceWriterTest, KilledProcessLeavesReadablePartialFile) {
  const std::string final_path = path("run.h5");
  const size_t rows = 150000;
  const int status = run_in_child([&] {
    auto* writer = new TraceWriter(final_path, sample_meta());
    writer->append_messages(make_messages(0, rows));
    ::_exit(0);  // as if killed: no destructor, no HDF5 shutdown
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(fs::exists(final_path));
  File file(final_path + ".partial");
  ASSERT_GE(file.id(), 0);
  EXPECT_EQ(complete_flag(file), 0);
  EXPECT_EQ(read_string_attribute(file, "meta", "citytwin_version"), "0.1.0");
  const size_t flushed = rows / TraceWriter::kMessageChunkRows * TraceWriter::kMessageChunkRows;
  expect_messages(file, make_messages(0, flushed));
}

// Killed before its first full chunk, a run's .partial already has /messages (no rows yet).
TEST_F(TraceWriterTest, KilledBeforeTheFirstChunkLeavesAnEmptyMessagesTable) {
  const std::string final_path = path("run.h5");
  const int status = run_in_child([&] {
    auto* writer = new TraceWriter(final_path, sample_meta());
    writer->append_messages({});
    writer->append_messages(make_messages(0, 1000));
    ::_exit(0);
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status));
  File file(final_path + ".partial");
  ASSERT_GE(file.id(), 0);
  EXPECT_EQ(complete_flag(file), 0);
  EXPECT_EQ(read_attribute<uint64_t>(file, "messages", "rows_written", H5T_NATIVE_UINT64), 0u);
  EXPECT_EQ(length(file, "messages/t_tx_s"), 0u);
}

// The child's checks, as exit codes (the parent cannot see the child's private file system).
int fill_the_disk(const std::string& dir) {
  if (!mount_private_tmpfs(dir, "size=8m")) return kSkip;
  const std::string final_path = dir + "/run.h5";
  {
    TraceWriter writer(final_path, sample_meta());
    std::string error;
    try {
      for (size_t first = 0; first < 10'000'000; first += 10'000) {
        writer.append_messages(make_messages(first, 10'000));
      }
    } catch (const OutputError& e) {
      error = e.what();
    }
    std::fprintf(stderr, "append: %s\n", error.c_str());
    if (error.find("No space left on device") == std::string::npos) return 10;
    if (error.find("'" + final_path + ".partial'") == std::string::npos) return 11;
    try {
      writer.finish(true);
      return 12;  // a trace whose writing failed is never complete
    } catch (const OutputError& e) {
      std::fprintf(stderr, "finish: %s\n", e.what());
    }
  }
  // A failed trace keeps its .partial name: nothing claims to be a finished trace.
  if (fs::exists(final_path)) return 20;
  {
    File file(final_path + ".partial");
    if (file.id() < 0) return 13;
    if (complete_flag(file) != 0) return 14;
    // rows_written counts the rows whose data reached the disk; rows after it may be lost.
    const auto rows = read_attribute<uint64_t>(file, "messages", "rows_written", H5T_NATIVE_UINT64);
    if (rows < TraceWriter::kMessageChunkRows || rows > length(file, "messages/battery_mah_left")) return 15;
    auto battery = read_column<double>(file, "messages/battery_mah_left", H5T_NATIVE_DOUBLE);
    battery.resize(rows);
    if (battery != make_messages(0, rows).battery_mah_left) return 16;
  }
  // Creating a file on the full disk fails cleanly too.
  RunMeta meta = sample_meta();
  meta.scenario_text.assign(16 << 20, 'x');
  try {
    TraceWriter second(dir + "/second.h5", meta);
    return 17;
  } catch (const OutputError& e) {
    std::fprintf(stderr, "create: %s\n", e.what());
    const std::string message = e.what();
    if (message.find("'" + dir + "/second.h5' (No space left on device)") == std::string::npos) return 18;
  }
  if (fs::exists(dir + "/second.h5.partial")) return 19;
  return 0;
}

// HDF5 1.10 crashes at exit after a close that failed to flush (HDFFV-11052): the writer must report
// the error, keep a readable file marked incomplete, and let the process exit normally.
TEST_F(TraceWriterTest, FullDiskIsReportedAndTheProcessExitsCleanly) {
  const std::string dir = path("tiny_disk");
  fs::create_directories(dir);
  const int status = run_in_child([&] { return fill_the_disk(dir); });
  ASSERT_TRUE(WIFEXITED(status)) << "child ended by signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  if (WEXITSTATUS(status) == kSkip) GTEST_SKIP() << "cannot mount a private tmpfs here";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "see the child's check with this code in fill_the_disk()";
}

// The file size limit (ulimit -f) is met like a full disk: the writer stops before HDF5 would write
// past it (a write failing with EFBIG, or SIGXFSZ killing the process), reports it naming the file,
// and keeps a readable, incomplete .partial.
TEST_F(TraceWriterTest, FileSizeLimitIsReportedAndTheProcessExitsCleanly) {
  const std::string final_path = path("run.h5");
  const int status = run_in_child([&] {
    const rlimit limit{6 << 20, 6 << 20};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return kSkip;
    std::string error;
    {
      TraceWriter writer(final_path, sample_meta());
      try {
        for (size_t first = 0; first < 100'000'000; first += 10'000) {
          writer.append_messages(make_messages(first, 10'000));
        }
      } catch (const OutputError& e) {
        error = e.what();
      }
      try {
        writer.finish(true);
        return 12;
      } catch (const OutputError&) {
      }
    }
    std::fprintf(stderr, "append: %s\n", error.c_str());
    if (error.find("File too large") == std::string::npos) return 10;
    if (error.find("'" + final_path + ".partial'") == std::string::npos) return 11;
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status)) << "child ended by signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  if (WEXITSTATUS(status) == kSkip) GTEST_SKIP() << "cannot set RLIMIT_FSIZE";
  ASSERT_EQ(WEXITSTATUS(status), 0) << "see the child's check with this code";
  EXPECT_FALSE(fs::exists(final_path));
  File file(final_path + ".partial");
  ASSERT_GE(file.id(), 0);
  EXPECT_EQ(complete_flag(file), 0);
  const auto rows = read_attribute<uint64_t>(file, "messages", "rows_written", H5T_NATIVE_UINT64);
  EXPECT_GE(rows, TraceWriter::kMessageChunkRows);
  EXPECT_LE(fs::file_size(final_path + ".partial"), uint64_t{6} << 20);
  expect_messages(file, make_messages(0, rows));
}

}  // namespace
}  // namespace citytwin::output
