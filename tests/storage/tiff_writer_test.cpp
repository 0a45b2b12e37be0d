// TiffWriter: BigTIFF pages read back by tifffile (pixels + JSON metadata) for 8/12/16/32-bit;
// existing files; a full disk leaves a readable file.
#include "daq/storage/tiff_writer.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "daq/storage/storage_error.hpp"
#include "storage_test_support.hpp"

namespace daq::storage {
namespace {

using test::TempDir;

StreamInfo stream_for(std::uint32_t width, std::uint32_t height, std::uint32_t bit_depth) {
  StreamInfo s;
  s.width = width;
  s.height = height;
  s.bit_depth = bit_depth;
  s.camera_name = "sim";
  return s;
}

std::string check_args(const std::filesystem::path& path, std::uint32_t w, std::uint32_t h,
                       std::uint32_t bits, std::uint64_t frames) {
  return "--path " + path.string() + " --width " + std::to_string(w) + " --height " +
         std::to_string(h) + " --bit-depth " + std::to_string(bits) + " --frames " +
         std::to_string(frames);
}

class TiffRoundTrip : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(TiffRoundTrip, EveryPageReadsBackInTifffile) {
  if (!test::python_has("tifffile")) GTEST_SKIP() << "/usr/bin/python3 has no tifffile";
  const std::uint32_t bits = GetParam();
  TempDir dir;
  const auto path = dir / "run.tif";
  const std::uint32_t w = 70;
  const std::uint32_t h = 33;
  auto pool = test::make_frame_pool(2, std::size_t{w} * h * bytes_per_pixel(bits));
  TiffWriter writer({.path = path});
  writer.open(stream_for(w, h, bits));
  std::uint64_t written = 0;
  for (std::uint64_t n = 0; n < 9; ++n) {
    if (n == 4) continue;  // a dropped frame: pages carry their own frame numbers
    LoanedFrame f = pool->acquire();
    test::fill_ramp(*f, n, w, h, bits);
    writer.write(std::move(f));
    ++written;
  }
  writer.finish({.frames_produced = 9, .frames_dropped = 1, .dropped_frames = {{4, 4}}, .lost_hw_frames = {}});
  EXPECT_EQ(writer.counters().frames_written, written);
  EXPECT_EQ(writer.counters().first_timestamp_ns, 1'000'000'000U) << "frame 0's";
  EXPECT_EQ(writer.counters().last_timestamp_ns, 1'080'000'000U) << "frame 8's";
  const auto result = test::run_python("check_tiff.py", check_args(path, w, h, bits, written));
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

INSTANTIATE_TEST_SUITE_P(BitDepths, TiffRoundTrip, ::testing::Values(8U, 12U, 16U, 32U));

TEST(TiffWriter, ExistingFileIsLeftUntouchedWithoutOverwrite) {
  TempDir dir;
  const auto path = dir / "keep.tif";
  std::ofstream(path) << "precious";
  TiffWriter writer({.path = path});
  try {
    writer.open(stream_for(8, 8, 16));
    FAIL() << "open() must refuse an existing file";
  } catch (const StorageError& e) {
    EXPECT_EQ(e.kind(), StorageError::Kind::exists);
  }
  std::string content;
  std::getline(std::ifstream(path), content);
  EXPECT_EQ(content, "precious");
}

TEST(TiffWriter, DiskFullStopsWithAClearMessageAndAReadableFile) {
  if (!test::python_has("tifffile")) GTEST_SKIP() << "/usr/bin/python3 has no tifffile";
  test::SmallTmpfs disk(12u << 20);
  if (!disk.mounted()) {
    GTEST_SKIP() << "cannot mount a 12 MiB tmpfs for the disk-full test (needs root): "
                 << disk.error();
  }
  const auto path = disk / "full.tif";
  const std::uint32_t w = 512;
  const std::uint32_t h = 1024;
  auto pool = test::make_frame_pool(1, std::size_t{w} * h * 2);
  TiffWriter writer({.path = path});
  writer.open(stream_for(w, h, 16));
  std::uint64_t written = 0;
  std::string message;
  for (std::uint64_t n = 0; n < 100 && message.empty(); ++n) {
    LoanedFrame f = pool->acquire();
    test::fill_ramp(*f, n, w, h, 16);
    try {
      writer.write(std::move(f));
      ++written;
    } catch (const StorageError& e) {
      EXPECT_EQ(e.kind(), StorageError::Kind::write_failed);
      message = e.what();
    }
  }
  ASSERT_FALSE(message.empty()) << "the writer never failed";
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_NE(message.find("frame " + std::to_string(written)), std::string::npos) << message;
  EXPECT_GT(written, 3U);
  EXPECT_NO_THROW(writer.finish({}));
  const auto result = test::run_python("check_tiff.py", check_args(path, w, h, 16, written));
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

}  // namespace
}  // namespace daq::storage
