// Where the trace goes: the final path is only ever replaced, atomically, by a finished trace; paths that
// are not regular files are refused; a run that fails keeps its .partial and leaves the old trace; two
// writers of one path do not destroy each other's work.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "output/trace_writer.hpp"
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
using h5read::read_attribute;

namespace fs = std::filesystem;

RunMeta meta_with_seed(uint64_t seed) {
  RunMeta meta = sample_meta();
  meta.seed = seed;
  return meta;
}

uint64_t seed_of(const std::string& path) {
  File file(path);
  return read_attribute<uint64_t>(file, "meta", "seed", H5T_NATIVE_UINT64);
}

// A complete trace at `path` with the given seed and rows.
void write_complete(const std::string& path, uint64_t seed, size_t rows, bool overwrite = false) {
  TraceWriter writer(path, meta_with_seed(seed), overwrite);
  writer.append_messages(make_messages(0, rows));
  writer.finish(true);
}

std::string text_of(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The message of the OutputPathError that creating a writer for `path` raises ("" if none).
std::string refusal(const std::string& path, bool overwrite) {
  try {
    TraceWriter writer(path, sample_meta(), overwrite);
  } catch (const OutputPathError& e) {
    return e.what();
  }
  return "";
}

TEST_F(TraceWriterTest, OutputThatIsNotARegularFileIsRefused) {
  // As root, rename(2) over /dev/null would replace the device node.
  for (const bool overwrite : {false, true}) {
    const std::string message = refusal("/dev/null", overwrite);
    EXPECT_NE(message.find("'/dev/null': it is a device"), std::string::npos) << message;
  }
  struct stat info {};
  ASSERT_EQ(::stat("/dev/null", &info), 0);
  EXPECT_TRUE(S_ISCHR(info.st_mode));
  EXPECT_FALSE(fs::exists("/dev/null.partial"));

  fs::create_directory(path("dir"));
  EXPECT_NE(refusal(path("dir"), true).find("Is a directory"), std::string::npos);
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  EXPECT_NE(refusal(path("fifo"), true).find("it is a FIFO"), std::string::npos);
  { std::ofstream(path("target.txt")) << "precious"; }
  fs::create_symlink(path("target.txt"), path("link.h5"));
  EXPECT_NE(refusal(path("link.h5"), true).find("it is a symbolic link"), std::string::npos);
  EXPECT_EQ(text_of(path("target.txt")), "precious");
  EXPECT_TRUE(fs::is_symlink(path("link.h5")));
  // A symbolic link planted at the .partial name is not followed either.
  fs::create_symlink(path("target.txt"), path("run.h5.partial"));
  EXPECT_NE(refusal(path("run.h5"), true).find("symbolic link"), std::string::npos);
  EXPECT_EQ(text_of(path("target.txt")), "precious");
  for (const char* name : {"dir", "fifo", "link.h5"}) EXPECT_FALSE(fs::exists(path(name) + ".partial"));
}

TEST_F(TraceWriterTest, MissingDirectoryIsAPathError) {
  const std::string message = refusal(path("no/such/run.h5"), false);
  EXPECT_NE(message.find(path("no/such/run.h5")), std::string::npos) << message;
  EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
}

TEST_F(TraceWriterTest, ExistingTraceIsRefusedWithoutOverwrite) {
  write_complete(path("run.h5"), 1, 100);
  const std::string message = refusal(path("run.h5"), false);
  EXPECT_NE(message.find("already exists"), std::string::npos) << message;
  EXPECT_NE(message.find("--overwrite"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(path("run.h5.partial")));
  EXPECT_EQ(seed_of(path("run.h5")), 1u);
}

// The old trace stays, whole and readable, until the new one is complete; then rename(2) swaps them.
TEST_F(TraceWriterTest, OverwriteKeepsTheOldTraceUntilTheNewOneIsComplete) {
  const std::string final_path = path("run.h5");
  write_complete(final_path, 1, 100);
  {
    TraceWriter writer(final_path, meta_with_seed(2), true);
    writer.append_messages(make_messages(0, 70000));
    EXPECT_EQ(seed_of(final_path), 1u);
    File old_trace(final_path);
    EXPECT_EQ(complete_flag(old_trace), 1);
    expect_messages(old_trace, make_messages(0, 100));
    writer.finish(true);
    EXPECT_EQ(writer.path(), final_path);
  }
  EXPECT_EQ(seed_of(final_path), 2u);
  EXPECT_FALSE(fs::exists(final_path + ".partial"));
  File file(final_path);
  EXPECT_EQ(complete_flag(file), 1);
  expect_messages(file, make_messages(0, 70000));
}

// A writer destroyed without finish() is a run that failed: the old trace is untouched, the new one
// stays at .partial, marked incomplete, holding every row appended.
TEST_F(TraceWriterTest, FailedRunLeavesTheOldTraceInPlace) {
  const std::string final_path = path("run.h5");
  write_complete(final_path, 1, 100);
  {
    TraceWriter writer(final_path, meta_with_seed(2), true);
    writer.append_messages(make_messages(0, 70000));
  }
  EXPECT_EQ(seed_of(final_path), 1u);
  {
    File old_trace(final_path);
    EXPECT_EQ(complete_flag(old_trace), 1);
  }
  File partial(final_path + ".partial");
  ASSERT_GE(partial.id(), 0);
  EXPECT_EQ(complete_flag(partial), 0);
  EXPECT_EQ(read_attribute<uint64_t>(partial, "meta", "seed", H5T_NATIVE_UINT64), 2u);
  expect_messages(partial, make_messages(0, 70000));
}

// A stopped run (finish(false)) takes the final name only if nothing is there.
TEST_F(TraceWriterTest, StoppedRunNeverReplacesATrace) {
  const std::string final_path = path("run.h5");
  {
    TraceWriter writer(final_path, meta_with_seed(3), false);
    writer.append_messages(make_messages(0, 10));
    writer.finish(false);
    EXPECT_EQ(writer.path(), final_path);
  }
  {
    File stopped(final_path);
    EXPECT_EQ(complete_flag(stopped), 0);
  }
  TraceWriter writer(final_path, meta_with_seed(4), true);
  writer.append_messages(make_messages(0, 10));
  writer.finish(false);
  EXPECT_EQ(writer.path(), final_path + ".partial");
  EXPECT_EQ(seed_of(final_path), 3u);
  EXPECT_EQ(seed_of(final_path + ".partial"), 4u);
}

// The .partial file is locked by its writer: a second writer of the same path, even one asked to
// overwrite, is refused and the first finishes its trace.
TEST_F(TraceWriterTest, SecondWriterOfTheSamePathIsRefused) {
  const std::string final_path = path("run.h5");
  TraceWriter first(final_path, meta_with_seed(1), false);
  first.append_messages(make_messages(0, 100));
  for (const bool overwrite : {false, true}) {
    const std::string message = refusal(final_path, overwrite);
    EXPECT_NE(message.find("another run is writing '" + final_path + ".partial'"), std::string::npos)
        << message;
  }
  first.finish(true);
  File file(final_path);
  EXPECT_EQ(complete_flag(file), 1);
  expect_messages(file, make_messages(0, 100));
}

// A .partial nobody holds is what a killed run left: kept unless overwriting was asked for.
TEST_F(TraceWriterTest, StalePartialIsKeptUnlessOverwriting) {
  const std::string final_path = path("run.h5");
  { std::ofstream(final_path + ".partial") << "killed run"; }
  const std::string message = refusal(final_path, false);
  EXPECT_NE(message.find("left over from an earlier run"), std::string::npos) << message;
  EXPECT_EQ(text_of(final_path + ".partial"), "killed run");
  write_complete(final_path, 5, 10, true);
  EXPECT_EQ(seed_of(final_path), 5u);
  EXPECT_FALSE(fs::exists(final_path + ".partial"));
}

// A complete trace never replaces a file someone else created at the final path during the run when
// overwriting was not asked for: the new trace stays at .partial and finish() says so.
TEST_F(TraceWriterTest, FileCreatedDuringTheRunIsNotReplaced) {
  const std::string final_path = path("run.h5");
  TraceWriter writer(final_path, meta_with_seed(6), false);
  writer.append_messages(make_messages(0, 10));
  { std::ofstream(final_path) << "someone else's"; }
  try {
    writer.finish(true);
    ADD_FAILURE() << "finish() replaced a file created during the run";
  } catch (const OutputError& e) {
    EXPECT_NE(std::string(e.what()).find(final_path + ".partial"), std::string::npos) << e.what();
  }
  EXPECT_EQ(text_of(final_path), "someone else's");
  File partial(final_path + ".partial");
  EXPECT_EQ(complete_flag(partial), 1);
}

}  // namespace
}  // namespace citytwin::output
