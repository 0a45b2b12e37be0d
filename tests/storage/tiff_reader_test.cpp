// inspect_tiff(): a TIFF written by TiffWriter reads back page by page (size, timestamps, the
// frame and camera numbers missing between pages); a damaged page is a problem, a TIFF without
// daq's metadata (tests/e2e/inspect_files.py) and a file that is no TIFF are clear errors.
#include "daq/storage/tiff_reader.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "daq/storage/storage_error.hpp"
#include "daq/storage/tiff_writer.hpp"
#include "frame_json.hpp"
#include "storage_test_support.hpp"

namespace daq::storage {
namespace {

using test::TempDir;

constexpr std::uint32_t kWidth = 24;
constexpr std::uint32_t kHeight = 10;

// Pages for frames 0, 1, 4, 5 (2-3 dropped); the camera numbered them 10, 11, 16, 17, so its
// 12-15 are 2 dropped frames and 2 lost in hardware.
std::filesystem::path write_tiff(const TempDir& dir) {
  const auto path = dir / "run.tif";
  auto pool = test::make_frame_pool(2, std::size_t{kWidth} * kHeight * 2);
  TiffWriter writer({.path = path});
  StreamInfo stream;
  stream.width = kWidth;
  stream.height = kHeight;
  stream.bit_depth = 16;
  writer.open(stream);
  for (const auto& [number, hw] :
       {std::pair<std::uint64_t, std::int64_t>{0, 10}, {1, 11}, {4, 16}, {5, 17}}) {
    LoanedFrame f = pool->acquire();
    test::fill_ramp(*f, number, kWidth, kHeight, 16);
    f->hw_frame_nr = hw;
    writer.write(std::move(f));
  }
  writer.finish({});
  return path;
}

TEST(TiffReader, ReadsPagesAndWhatIsMissingBetweenThem) {
  TempDir dir;
  const TiffContents tiff = inspect_tiff(write_tiff(dir));
  EXPECT_EQ(tiff.pages, 4U);
  EXPECT_EQ(tiff.width, kWidth);
  EXPECT_EQ(tiff.height, kHeight);
  EXPECT_EQ(tiff.bits_per_sample, 16U);
  EXPECT_EQ(tiff.first_timestamp_ns, 1'000'000'000U);  // fill_ramp: 1 s + n * 10 ms
  EXPECT_EQ(tiff.last_timestamp_ns, 1'000'000'000U + 50'000'000U);
  EXPECT_EQ(tiff.missing_frames, (std::vector<FrameRange>{{2, 3}}));
  EXPECT_EQ(tiff.lost_hw_frames, (std::vector<FrameRange>{{14, 15}}));
  EXPECT_TRUE(tiff.problems.empty()) << ::testing::PrintToString(tiff.problems);
}

TEST(TiffReader, ALastPageCutShortIsAProblem) {
  TempDir dir;
  const auto path = write_tiff(dir);
  // Cut the file inside the last page (its pixels, then its directory).
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - kWidth * kHeight);
  try {
    const TiffContents tiff = inspect_tiff(path);
    EXPECT_FALSE(tiff.problems.empty()) << "a cut file verified";
  } catch (const StorageError& e) {
    EXPECT_EQ(e.kind(), StorageError::Kind::bad_file) << e.what();
  }
}

TEST(TiffReader, AFileThatIsNoTiffIsAClearError) {
  TempDir dir;
  std::ofstream(dir / "text.tif") << "not a TIFF at all\n";
  try {
    (void)inspect_tiff(dir / "text.tif");
    FAIL() << "text.tif was read";
  } catch (const StorageError& e) {
    EXPECT_EQ(e.kind(), StorageError::Kind::bad_file);
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos) << e.what();
  }
}

TEST(TiffReader, JsonIntegersReadBackWhatFrameJsonWrote) {
  FrameData frame;
  frame.frame_number = 18'446'744'073'709'551'615ULL;
  frame.hw_frame_nr = -1;
  frame.timestamp_ns = 1'234'567'890'123'456'789ULL;
  char text[512];
  ASSERT_GT(detail::frame_json(frame, text), 0U);
  EXPECT_EQ(detail::json_integer<std::uint64_t>(text, "frame_number"), frame.frame_number);
  EXPECT_EQ(detail::json_integer<std::int64_t>(text, "hw_frame_nr"), -1);
  EXPECT_EQ(detail::json_integer<std::uint64_t>(text, "timestamp_ns"), frame.timestamp_ns);
  EXPECT_EQ(detail::json_integer<std::uint64_t>(text, "number"), std::nullopt);  // not a key
  EXPECT_EQ(detail::json_integer<std::uint64_t>(R"({"frame_number": 7})", "frame_number"), 7U);
  EXPECT_EQ(detail::json_integer<std::uint64_t>(R"({"frame_number":null})", "frame_number"),
            std::nullopt);
}

}  // namespace
}  // namespace daq::storage
