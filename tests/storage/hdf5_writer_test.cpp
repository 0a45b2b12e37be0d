// Hdf5Writer: every pixel, per-frame row, attribute and range read back by h5py (and by our
// Hdf5Reader) for 8/12/16/32-bit frames and every compression; SWMR reader during writing;
// periodic flush; existing files; invalid frames; disk full and file-size limit mid-run;
// O_DIRECT chunks; no allocation per frame.
#include "daq/storage/hdf5_writer.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <thread>
#include <vector>

#include "daq/pool/alloc_counter.hpp"
#include "daq/storage/hdf5_reader.hpp"
#include "daq/storage/storage_error.hpp"
#include "storage_test_support.hpp"
#include "watchdog.hpp"

namespace daq::storage {
namespace {

using test::fill_ramp;
using test::make_frame_pool;
using test::run_python;
using test::TempDir;

StreamInfo stream_for(std::uint32_t width, std::uint32_t height, std::uint32_t bit_depth) {
  StreamInfo s;
  s.width = width;
  s.height = height;
  s.bit_depth = bit_depth;
  s.camera_name = "sim";
  s.camera_model = "SimCamera";
  s.sensor_width = width + 8;
  s.sensor_height = height + 8;
  s.frames_per_second = 100.0;
  return s;
}

struct RampSource {
  std::uint32_t width;
  std::uint32_t height;
  std::uint32_t bit_depth;
  std::shared_ptr<Pool<FrameData>> pool;

  RampSource(std::uint32_t w, std::uint32_t h, std::uint32_t bits, std::size_t pool_frames = 4)
      : width(w), height(h), bit_depth(bits),
        pool(make_frame_pool(pool_frames, std::size_t{w} * h * bytes_per_pixel(bits))) {}

  LoanedFrame frame(std::uint64_t n) const {
    LoanedFrame f = pool->acquire();
    fill_ramp(*f, n, width, height, bit_depth);
    return f;
  }
  std::string check_args(const std::filesystem::path& path, std::uint64_t frames) const {
    return "--path " + path.string() + " --width " + std::to_string(width) + " --height " +
           std::to_string(height) + " --bit-depth " + std::to_string(bit_depth) +
           " --frames " + std::to_string(frames);
  }
};

RunSummary produced(std::uint64_t frames) {
  RunSummary summary;
  summary.frames_produced = frames;
  return summary;
}

bool have_h5py() { return test::python_has("h5py"); }

// The h5py cross-check of a file (tests/storage/check_hdf5.py `args`). Without h5py (setup.sh
// installs it) only this check is left out: the C++ assertions around it still run.
void expect_h5py_reads(const std::string& args) {
  if (!have_h5py()) {
    std::printf("[  NOTE    ] /usr/bin/python3 has no h5py: the h5py cross-check is left out\n");
    return;
  }
  const auto result = run_python("check_hdf5.py", args);
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

// Bytes the file at `path` occupies on disk beyond its size (space reserved and not given back).
std::int64_t bytes_beyond_size(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<std::int64_t>(st.st_blocks) * 512 - static_cast<std::int64_t>(st.st_size);
}

struct Case {
  std::uint32_t bit_depth;
  Compression compression;
};

class Hdf5RoundTrip : public ::testing::TestWithParam<Case> {};

TEST_P(Hdf5RoundTrip, EveryPixelMetadataAndRangeReadsBackInH5py) {
  const Case c = GetParam();
  TempDir dir;
  const auto path = dir / "run.h5";
  // 300 x 41 = 12300 pixels: three whole bitshuffle blocks, a partial one and 4 raw leftovers.
  RampSource run(300, 41, c.bit_depth);
  Hdf5Writer writer({.path = path, .compression = c.compression, .compression_threads = 2});
  writer.open(stream_for(run.width, run.height, run.bit_depth));
  const std::vector<std::uint64_t> dropped = {3, 4, 9};
  std::uint64_t written = 0;
  for (std::uint64_t n = 0; n < 14; ++n) {
    if (std::find(dropped.begin(), dropped.end(), n) != dropped.end()) continue;
    writer.write(run.frame(n));
    ++written;
  }
  writer.finish({.frames_produced = 14,
                 .frames_dropped = 3,
                 .dropped_frames = {{3, 4}, {9, 9}},
                 .lost_hw_frames = {{50, 52}}});
  EXPECT_EQ(writer.counters().frames_written, written);
  EXPECT_EQ(writer.counters().bytes_written, written * run.width * run.height *
                                                 bytes_per_pixel(run.bit_depth));
  if (c.compression == Compression::none) {
    EXPECT_EQ(writer.counters().bytes_stored, writer.counters().bytes_written);
  }

  expect_h5py_reads(run.check_args(path, written) + " --produced 14 --compression " +
                    std::string(to_string(c.compression)) + " --dropped 3-4,9-9 --lost 50-52");

  Hdf5Reader reader(path);
  EXPECT_EQ(reader.frames(), written);
  EXPECT_EQ(reader.compression(), to_string(c.compression));
  EXPECT_TRUE(reader.verify().empty()) << ::testing::PrintToString(reader.verify());
  std::vector<std::byte> pixels(std::size_t{run.width} * run.height *
                                bytes_per_pixel(run.bit_depth));
  reader.read_frame(2, pixels);
  LoanedFrame expected = run.frame(2);
  EXPECT_TRUE(std::equal(pixels.begin(), pixels.end(), expected->pixels().begin()));
}

INSTANTIATE_TEST_SUITE_P(
    BitDepthsAndCompressions, Hdf5RoundTrip,
    ::testing::Values(Case{8, Compression::none}, Case{12, Compression::none},
                      Case{16, Compression::none}, Case{32, Compression::none},
                      Case{8, Compression::lz4}, Case{16, Compression::lz4},
                      Case{32, Compression::lz4}, Case{8, Compression::blosc},
                      Case{12, Compression::blosc}, Case{32, Compression::blosc},
                      Case{8, Compression::bslz4}, Case{12, Compression::bslz4},
                      Case{16, Compression::bslz4}, Case{32, Compression::bslz4}),
    [](const ::testing::TestParamInfo<Case>& param_info) {
      return std::string(to_string(param_info.param.compression)) + "_" +
             std::to_string(param_info.param.bit_depth) + "bit";
    });

// Uncompressed frames of whole 4 KiB blocks bypass the page cache (the file driver writes them
// with O_DIRECT); frames of other sizes, and direct_io = false, go through the page cache.
// Either way every pixel, row and range reads back in h5py and in our reader.
TEST(Hdf5Writer, BlockSizedUncompressedFramesAreWrittenWithODirect) {
  TempDir dir;
  if (!test::accepts_o_direct(dir)) GTEST_SKIP() << dir.path() << " refuses O_DIRECT";
  struct Variant {
    const char* name;
    std::uint32_t width;  // x 64 rows x 16 bits
    bool direct_io;
    bool expect_direct;
  };
  for (const Variant v : {Variant{"block-sized", 256, true, true},
                          Variant{"block-sized, direct_io off", 256, false, false},
                          Variant{"not block-sized", 250, true, false}}) {
    SCOPED_TRACE(v.name);
    const auto path = dir / "direct.h5";
    RampSource run(v.width, 64, 16);
    Hdf5Writer writer({.path = path, .overwrite = true, .direct_io = v.direct_io});
    writer.open(stream_for(run.width, run.height, run.bit_depth));
    std::uint64_t written = 0;
    for (std::uint64_t n = 0; n < 12; ++n) {
      if (n == 5) continue;
      writer.write(run.frame(n));
      ++written;
    }
    writer.finish({.frames_produced = 12,
                   .frames_dropped = 1,
                   .dropped_frames = {{5, 5}},
                   .lost_hw_frames = {}});
    EXPECT_EQ(writer.counters().frames_written, written);
    EXPECT_EQ(writer.counters().frames_direct, v.expect_direct ? written : 0);
    expect_h5py_reads(run.check_args(path, written) + " --produced 12 --dropped 5-5");
    Hdf5Reader reader(path);
    EXPECT_TRUE(reader.verify().empty()) << ::testing::PrintToString(reader.verify());
  }
}

// CPU time of the calling thread (the writer runs there when uncompressed): unlike wall time it
// does not include waiting for a disk that other programs keep busy.
double thread_cpu_seconds() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// The cost of writing a frame must not grow with the frames already in the file. (libhdf5
// 1.10's H5Dget_chunk_info_by_coord walks the whole chunk index: when the writer asked it for
// each chunk's address, a frame at 20 000 chunks took ~10x the CPU of one at 1 000.) Frames of
// one 4 KiB block, so that the per-frame bookkeeping, not the bytes, is what is measured.
TEST(Hdf5Writer, CostPerFrameDoesNotGrowWithTheFile) {
  TempDir dir;
  RampSource run(64, 32, 16, 2);
  Hdf5Writer writer({.path = dir / "long.h5"});
  writer.open(stream_for(run.width, run.height, run.bit_depth));
  constexpr std::uint64_t kFrames = 20'000;
  constexpr std::uint64_t kBatch = 500;
  std::vector<double> seconds;  // CPU per batch of kBatch frames
  for (std::uint64_t first = 0; first < kFrames; first += kBatch) {
    const double start = thread_cpu_seconds();
    for (std::uint64_t n = first; n < first + kBatch; ++n) writer.write(run.frame(n));
    seconds.push_back(thread_cpu_seconds() - start);
  }
  writer.finish(produced(kFrames));
  EXPECT_EQ(writer.counters().frames_written, kFrames);
  if (test::accepts_o_direct(dir)) {
    EXPECT_EQ(writer.counters().frames_direct, kFrames);
  }
  // The cheapest of four batches near the start (after a warm-up batch) and at the end.
  const double early = *std::min_element(seconds.begin() + 1, seconds.begin() + 5);
  const double late = *std::min_element(seconds.end() - 4, seconds.end());
  EXPECT_LT(late, 3 * early) << "frames 500..2500: " << early / kBatch * 1e6
                             << " us CPU per frame; the last 2000: " << late / kBatch * 1e6;
}

// open() of 8 x 8 16-bit frames must throw StorageError(kind) whose message contains `names`.
void expect_open_fails(Hdf5Writer& writer, StorageError::Kind kind, const std::string& names) {
  try {
    writer.open(stream_for(8, 8, 16));
    FAIL() << "open() must fail with " << static_cast<int>(kind);
  } catch (const StorageError& e) {
    EXPECT_EQ(e.kind(), kind);
    EXPECT_NE(std::string(e.what()).find(names), std::string::npos) << e.what();
  }
}

TEST(Hdf5Writer, ExistingFileIsLeftUntouchedWithoutOverwrite) {
  TempDir dir;
  const auto path = dir / "keep.h5";
  std::ofstream(path) << "precious";
  Hdf5Writer writer({.path = path});
  expect_open_fails(writer, StorageError::Kind::exists, path.string());
  std::string content;
  std::getline(std::ifstream(path), content);
  EXPECT_EQ(content, "precious");

  Hdf5Writer overwriting({.path = path, .overwrite = true});
  overwriting.open(stream_for(8, 8, 16));
  overwriting.finish({});
  EXPECT_EQ(Hdf5Reader(path).frames(), 0U);
}

TEST(Hdf5Writer, UncreatableFileIsAClearErrorAndLeavesNothing) {
  TempDir dir;
  const auto path = dir.path() / "missing-dir" / "run.h5";
  Hdf5Writer writer({.path = path});
  expect_open_fails(writer, StorageError::Kind::create_failed, "run.h5");
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_THROW(Hdf5Writer({.path = dir / "bad.h5"}).open(stream_for(0, 8, 16)), StorageError);
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.h5"));
}

// A path that --overwrite cannot replace (here an empty directory, which remove() would have
// taken) is left as it was: the writer removes only a file it created.
TEST(Hdf5Writer, WhatCannotBeReplacedIsLeftAlone) {
  TempDir dir;
  const auto path = dir / "a_directory.h5";
  std::filesystem::create_directory(path);
  Hdf5Writer writer({.path = path, .overwrite = true});
  expect_open_fails(writer, StorageError::Kind::create_failed, path.string());
  EXPECT_TRUE(std::filesystem::is_directory(path));
}

TEST(Hdf5Writer, MismatchedFrameStopsTheWriterAndKeepsEarlierFrames) {
  TempDir dir;
  const auto path = dir / "run.h5";
  RampSource run(16, 8, 16);
  Hdf5Writer writer({.path = path});
  writer.open(stream_for(run.width, run.height, run.bit_depth));
  writer.write(run.frame(0));
  writer.write(run.frame(1));
  RampSource other(15, 8, 16);
  try {
    writer.write(other.frame(2));
    FAIL() << "a 15-pixel-wide frame must be rejected by a 16-wide stream";
  } catch (const StorageError& e) {
    EXPECT_EQ(e.kind(), StorageError::Kind::invalid_frame);
    EXPECT_NE(std::string(e.what()).find("frame 2"), std::string::npos) << e.what();
  }
  try {
    writer.write(run.frame(3));
    FAIL() << "a failed writer must refuse further frames";
  } catch (const StorageError& e) {
    EXPECT_EQ(e.kind(), StorageError::Kind::bad_state);
  }
  writer.finish(produced(4));
  Hdf5Reader reader(path);
  EXPECT_EQ(reader.frames(), 2U);
  EXPECT_EQ(reader.per_frame().frame_number, (std::vector<std::uint64_t>{0, 1}));
}

// The two SWMR tests are about what another process (h5py) sees: without h5py there is
// nothing left to test.
TEST(Hdf5Writer, SwmrReaderSeesFramesWhileTheyAreWritten) {
  if (!have_h5py()) GTEST_SKIP() << "/usr/bin/python3 has no h5py";
  test::Watchdog watchdog(std::chrono::seconds(120), "SWMR test");
  TempDir dir;
  const auto path = dir / "live.h5";
  RampSource run(64, 32, 16);
  Hdf5Writer writer({.path = path, .compression = Compression::bslz4});
  writer.open(stream_for(run.width, run.height, run.bit_depth));
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> written{0};
  std::thread camera([&] {
    for (std::uint64_t n = 0; n < 3000 && !stop.load(); ++n) {
      writer.write(run.frame(n));
      written.store(n + 1);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a 100 fps camera
    }
  });
  const auto result = run_python(
      "swmr_reader.py", "--path " + path.string() + " --min-frames 20 --bit-depth 16");
  const std::uint64_t written_when_seen = written.load();
  stop.store(true);
  camera.join();
  writer.finish(produced(written.load()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto seen = std::stoull(result.output.substr(result.output.find("SEEN ") + 5));
  EXPECT_GE(seen, 20U);
  EXPECT_LE(seen, written_when_seen);  // the reader saw them before the writer finished
  EXPECT_GT(written.load(), 0U);
}

TEST(Hdf5Writer, FlushIfDueMakesBufferedRowsVisibleWithoutNewFrames) {
  if (!have_h5py()) GTEST_SKIP() << "/usr/bin/python3 has no h5py";
  TempDir dir;
  const auto path = dir / "slow.h5";
  RampSource run(16, 16, 8);
  // Only write()/flush_if_due() flush; a long interval keeps the three writes below from doing it.
  Hdf5Writer writer({.path = path, .flush_interval = std::chrono::milliseconds(1000)});
  writer.open(stream_for(run.width, run.height, run.bit_depth));
  for (std::uint64_t n = 0; n < 3; ++n) writer.write(run.frame(n));
  const std::string args = "--path " + path.string() + " --min-frames 3 --bit-depth 8";
  // The rows are still in the writer's batch: a reader cannot see the frames yet.
  EXPECT_NE(run_python("swmr_reader.py", args + " --timeout 0.2").exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1050));  // the flush interval passes
  writer.flush_if_due();
  const auto result = run_python("swmr_reader.py", args + " --timeout 10");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  writer.finish(produced(3));
}

// Writes 1 MiB frames until the writer fails; returns the frames written.
std::uint64_t write_until_failure(Hdf5Writer& writer, const RampSource& run, std::string& message) {
  for (std::uint64_t n = 0; n < 1000; ++n) {
    try {
      writer.write(run.frame(n));
    } catch (const StorageError& e) {
      EXPECT_EQ(e.kind(), StorageError::Kind::write_failed);
      message = e.what();
      return n;
    }
  }
  ADD_FAILURE() << "the writer never failed";
  return 0;
}

TEST(Hdf5Writer, DiskFullStopsWithAClearMessageAndAReadableFile) {
  test::SmallTmpfs disk(24u << 20);
  if (!disk.mounted()) {
    GTEST_SKIP() << "cannot mount a 24 MiB tmpfs for the disk-full test (needs root): "
                 << disk.error();
  }
  const auto path = disk / "full.h5";
  RampSource run(512, 1024, 16);  // 1 MiB frames
  Hdf5Writer writer({.path = path});
  writer.open(stream_for(run.width, run.height, run.bit_depth));
  std::string message;
  const std::uint64_t written = write_until_failure(writer, run, message);
  EXPECT_GT(written, 5U);
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_NE(message.find("frame " + std::to_string(written)), std::string::npos) << message;
  EXPECT_NE(message.find("No space left on device"), std::string::npos) << message;
  EXPECT_NO_THROW(writer.finish(produced(written + 1)));
  EXPECT_LE(bytes_beyond_size(path), 8192) << "the space reserved ahead was not given back";
  EXPECT_TRUE(Hdf5Reader(path).verify().empty());
  // The frame that failed was produced but is not in the file: it is recorded as dropped.
  expect_h5py_reads(run.check_args(path, written) + " --produced " + std::to_string(written + 1) +
                    " --dropped " + std::to_string(written) + "-" + std::to_string(written));
}

// Full before the first frame: when not even the file can be written, it is a write failure
// (not "exists", not a crash) and no file is left; with room for the file but not for a
// frame, the file is closed valid with the frame recorded as dropped.
TEST(Hdf5Writer, AFullDiskAtStartIsAWriteFailureThatLeavesNoStrayFile) {
  test::SmallTmpfs disk(4u << 20);
  if (!disk.mounted()) {
    GTEST_SKIP() << "cannot mount a 4 MiB tmpfs for the disk-full test (needs root): "
                 << disk.error();
  }
  const auto filler = disk / "filler";
  const auto fill_leaving = [&](std::uintmax_t free_bytes) {
    std::filesystem::remove(filler);
    const auto space = std::filesystem::space(disk / "");
    std::ofstream(filler, std::ios::binary)
        << std::string(static_cast<std::size_t>(space.available - free_bytes), '\0');
  };
  const auto path = disk / "new.h5";
  fill_leaving(0);
  {
    Hdf5Writer writer({.path = path});
    expect_open_fails(writer, StorageError::Kind::write_failed, "No space left on device");
    EXPECT_FALSE(std::filesystem::exists(path));
  }
  fill_leaving(1536u << 10);  // room for the file, not for a frame and the headroom
  RampSource run(512, 1024, 16);
  Hdf5Writer writer({.path = path});
  writer.open(stream_for(run.width, run.height, run.bit_depth));
  std::string message;
  EXPECT_EQ(write_until_failure(writer, run, message), 0U);
  EXPECT_NE(message.find("No space left on device"), std::string::npos) << message;
  EXPECT_NO_THROW(writer.finish(produced(1)));
  EXPECT_LE(bytes_beyond_size(path), 8192) << "the space reserved ahead was not given back";
  const Hdf5Reader reader(path);
  EXPECT_EQ(reader.write_state(), WriteState::finished);
  EXPECT_TRUE(reader.verify().empty()) << ::testing::PrintToString(reader.verify());
  EXPECT_EQ(reader.dropped_frame_ranges(), (std::vector<FrameRange>{{0, 0}}));
}

TEST(Hdf5Writer, FileSizeLimitStopsWithAClearMessageAndAReadableFile) {
  TempDir dir;
  const auto path = dir / "limited.h5";
  RampSource run(512, 1024, 16);
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit limited = saved;
  limited.rlim_cur = 20u << 20;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  std::string message;
  std::uint64_t written = 0;
  {
    Hdf5Writer writer({.path = path});
    writer.open(stream_for(run.width, run.height, run.bit_depth));
    written = write_until_failure(writer, run, message);
    EXPECT_NO_THROW(writer.finish(produced(written + 1)));
  }
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
  EXPECT_GT(written, 5U);
  EXPECT_NE(message.find("file size limit"), std::string::npos) << message;
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_TRUE(Hdf5Reader(path).verify().empty());
  // The frame that failed was produced but is not in the file: it is recorded as dropped.
  expect_h5py_reads(run.check_args(path, written) + " --produced " + std::to_string(written + 1) +
                    " --dropped " + std::to_string(written) + "-" + std::to_string(written));
}

TEST(Hdf5Writer, WritingAFrameAllocatesNothingInSteadyState) {
  for (const Compression compression : {Compression::none, Compression::bslz4}) {
    TempDir dir;
    RampSource run(128, 64, 16, 8);
    Hdf5Writer writer({.path = dir / "alloc.h5", .compression = compression,
                       .compression_threads = 2});
    writer.open(stream_for(run.width, run.height, run.bit_depth));
    for (std::uint64_t n = 0; n < 8; ++n) writer.write(run.frame(n));  // warm-up
    std::vector<LoanedFrame> frames;
    frames.reserve(6);
    for (std::uint64_t n = 8; n < 14; ++n) frames.push_back(run.frame(n));
    const auto before = alloc_counter::global().allocations;
    for (LoanedFrame& f : frames) writer.write(std::move(f));
    const auto after = alloc_counter::global().allocations;
    EXPECT_EQ(after - before, 0U) << "compression " << to_string(compression);
    writer.finish({});
  }
}

}  // namespace
}  // namespace daq::storage
