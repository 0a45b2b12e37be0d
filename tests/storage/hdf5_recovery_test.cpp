// recover_hdf5(): a file whose writer died after a flush (a child process that _exit()s without
// finishing, as SIGKILL would leave it) holds its counters as of that flush, reads as
// interrupted, and is finished by recovery: frames kept, counters and dropped / lost ranges
// rebuilt, marked recovered, verify() clean, the space reserved ahead given back. A finished
// file is left alone; a file being written is refused.
#include "daq/storage/hdf5_recovery.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "daq/storage/hdf5_reader.hpp"
#include "daq/storage/hdf5_writer.hpp"
#include "daq/storage/storage_error.hpp"
#include "storage_test_support.hpp"

namespace daq::storage {
namespace {

using test::TempDir;

constexpr std::uint32_t kWidth = 64;
constexpr std::uint32_t kHeight = 32;

struct Shot {
  std::uint64_t number;
  std::int64_t hw;
};

// Frames 0-2 and 5-6 written; 3-4 dropped (the camera numbered them 103-104), the camera's
// 105-107 lost in hardware.
const std::vector<Shot> kFlushed = {{0, 100}, {1, 101}, {2, 102}, {5, 108}, {6, 109}};

StreamInfo stream() {
  StreamInfo s;
  s.width = kWidth;
  s.height = kHeight;
  s.bit_depth = 16;
  s.camera_name = "sim";
  s.camera_model = "SimCamera";
  return s;
}

void write_shots(Hdf5Writer& writer, const std::vector<Shot>& shots) {
  auto pool = test::make_frame_pool(2, std::size_t{kWidth} * kHeight * 2);
  for (const Shot& shot : shots) {
    LoanedFrame f = pool->acquire();
    test::fill_ramp(*f, shot.number, kWidth, kHeight, 16);
    f->hw_frame_nr = shot.hw;
    writer.write(std::move(f));
  }
}

// A child process writes kFlushed, flushes, writes `after_flush` and dies without finishing
// the file: what a crash leaves.
std::filesystem::path crashed_file(const TempDir& dir, const std::vector<Shot>& after_flush) {
  const auto path = dir / "crashed.h5";
  const pid_t child = ::fork();
  if (child == 0) {
    Hdf5Writer writer({.path = path});
    writer.open(stream());
    write_shots(writer, kFlushed);
    writer.flush();
    write_shots(writer, after_flush);
    ::_exit(0);  // no destructor, no finish(): the file stays as the last flush left it
  }
  int status = 0;
  EXPECT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  return path;
}

std::uint64_t entry_u64(const Hdf5Reader& reader, const char* name) {
  return std::get<std::uint64_t>(reader.entry_attributes().at(name));
}

TEST(Hdf5Recovery, ACrashedFileHoldsItsCountersAsOfTheLastFlush) {
  TempDir dir;
  const auto path = crashed_file(dir, {});
  const Hdf5Reader reader(path);
  EXPECT_EQ(reader.write_state(), WriteState::interrupted);
  EXPECT_EQ(reader.frames(), 5U);
  EXPECT_EQ(entry_u64(reader, "frames_written"), 5U);
  EXPECT_EQ(entry_u64(reader, "frames_produced"), 7U);
  EXPECT_EQ(entry_u64(reader, "frames_dropped"), 2U);
  const std::string problems = ::testing::PrintToString(reader.verify());
  EXPECT_NE(problems.find("did not finish"), std::string::npos) << problems;
}

TEST(Hdf5Recovery, RebuildsTheLedgerFromTheFrameTableAndMarksTheFile) {
  TempDir dir;
  // Frames written after the last flush: their rows never reached the file.
  const auto path = crashed_file(dir, {{7, 110}, {8, 111}});
  const RecoveryReport report = recover_hdf5(path);
  EXPECT_FALSE(report.already_finished);
  EXPECT_EQ(report.frames_written, 5U);
  EXPECT_EQ(report.frames_produced, 7U);
  EXPECT_EQ(report.frames_dropped, 2U);
  EXPECT_EQ(report.dropped_frames, (std::vector<FrameRange>{{3, 4}}));
  EXPECT_EQ(report.lost_hw_frames, (std::vector<FrameRange>{{105, 107}}));

  const Hdf5Reader reader(path);
  EXPECT_EQ(reader.write_state(), WriteState::recovered);
  EXPECT_TRUE(reader.verify().empty()) << ::testing::PrintToString(reader.verify());
  EXPECT_EQ(reader.frames(), 5U);
  EXPECT_EQ(reader.per_frame().frame_number, (std::vector<std::uint64_t>{0, 1, 2, 5, 6}));
  EXPECT_EQ(reader.dropped_frame_ranges(), (std::vector<FrameRange>{{3, 4}}));
  EXPECT_EQ(reader.lost_hw_frame_ranges(), (std::vector<FrameRange>{{105, 107}}));
  EXPECT_EQ(entry_u64(reader, "frames_written"), 5U);
  EXPECT_FALSE(std::get<std::string>(reader.entry_attributes().at("recovered")).empty());
  std::vector<std::byte> pixels(std::size_t{kWidth} * kHeight * 2);
  reader.read_frame(4, pixels);  // frame number 6: its ramp starts at 6
  EXPECT_EQ(static_cast<int>(pixels[0]), 6);

  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_LE(static_cast<std::uint64_t>(st.st_blocks) * 512,
            static_cast<std::uint64_t>(st.st_size) + 8192)
      << "the space the writer reserved ahead of the frames is still taken";

  EXPECT_TRUE(recover_hdf5(path).already_finished);  // a second time: nothing to do
}

TEST(Hdf5Recovery, LeavesAFinishedFileAlone) {
  TempDir dir;
  const auto path = dir / "done.h5";
  {
    Hdf5Writer writer({.path = path});
    writer.open(stream());
    write_shots(writer, kFlushed);
    writer.finish({.frames_produced = 7,
                   .frames_dropped = 2,
                   .dropped_frames = {{3, 4}},
                   .lost_hw_frames = {{105, 107}}});
  }
  const auto before = std::filesystem::last_write_time(path);
  EXPECT_TRUE(recover_hdf5(path).already_finished);
  EXPECT_EQ(std::filesystem::last_write_time(path), before);
  EXPECT_EQ(Hdf5Reader(path).write_state(), WriteState::finished);
}

TEST(Hdf5Recovery, RefusesAFileBeingWritten) {
  TempDir dir;
  const auto path = dir / "live.h5";
  Hdf5Writer writer({.path = path});
  writer.open(stream());
  write_shots(writer, kFlushed);
  writer.flush();
  {  // closed before the writer finishes: libhdf5 shares one open file within a process
    const Hdf5Reader reader(path);
    EXPECT_EQ(reader.write_state(), WriteState::in_progress);
    EXPECT_TRUE(reader.verify().empty()) << ::testing::PrintToString(reader.verify());
  }
  try {
    (void)recover_hdf5(path);
    FAIL() << "a file being written was recovered";
  } catch (const StorageError& e) {
    EXPECT_EQ(e.kind(), StorageError::Kind::bad_state) << e.what();
  }
  writer.finish({.frames_produced = 7,
                 .frames_dropped = 2,
                 .dropped_frames = {{3, 4}},
                 .lost_hw_frames = {{105, 107}}});
  EXPECT_TRUE(Hdf5Reader(path).verify().empty())
      << ::testing::PrintToString(Hdf5Reader(path).verify());
}

}  // namespace
}  // namespace daq::storage
