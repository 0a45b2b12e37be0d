// encode_tiff: one frame as a TIFF in memory, read back by libtiff: the page TiffWriter writes
// (geometry, storage bits, the metadata JSON, every pixel) for 8/12/16/32-bit; bad frames.
#include "daq/storage/tiff_encoder.hpp"

#include <gtest/gtest.h>
#include <tiffio.h>

#include <cstring>
#include <fstream>

#include "daq/storage/storage_error.hpp"
#include "frame_json.hpp"
#include "storage_test_support.hpp"

namespace daq::storage {
namespace {

class TiffEncoding : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(TiffEncoding, LibtiffReadsTheFrameBack) {
  const std::uint32_t bits = GetParam();
  const std::uint32_t w = 70;
  const std::uint32_t h = 33;
  FrameData frame = FrameData::with_capacity(std::size_t{w} * h * 4);
  test::fill_ramp(frame, 5, w, h, bits);
  frame.frame_number = 42;
  frame.hw_frame_nr = 5;

  const std::string tiff = encode_tiff(frame.view());
  test::TempDir dir;
  const auto path = dir / "latest.tiff";
  std::ofstream(path, std::ios::binary)
      .write(tiff.data(), static_cast<std::streamsize>(tiff.size()));

  TIFF* t = TIFFOpen(path.c_str(), "rc");  // "c": one strip as written, not chopped
  ASSERT_NE(t, nullptr);
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint16_t bits_per_sample = 0;
  char* description = nullptr;
  ASSERT_EQ(TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &width), 1);
  ASSERT_EQ(TIFFGetField(t, TIFFTAG_IMAGELENGTH, &height), 1);
  ASSERT_EQ(TIFFGetField(t, TIFFTAG_BITSPERSAMPLE, &bits_per_sample), 1);
  ASSERT_EQ(TIFFGetField(t, TIFFTAG_IMAGEDESCRIPTION, &description), 1);
  EXPECT_EQ(width, w);
  EXPECT_EQ(height, h);
  EXPECT_EQ(bits_per_sample, bytes_per_pixel(bits) * 8);
  EXPECT_EQ(detail::json_integer<std::uint64_t>(description, "frame_number"), 42U) << description;
  EXPECT_EQ(detail::json_integer<std::uint32_t>(description, "bit_depth"), bits) << description;
  std::vector<std::byte> strip(frame.actual_len);
  ASSERT_EQ(TIFFReadRawStrip(t, 0, strip.data(), static_cast<tmsize_t>(strip.size())),
            static_cast<tmsize_t>(strip.size()));
  EXPECT_EQ(std::memcmp(strip.data(), frame.pixels().data(), strip.size()), 0);
  EXPECT_EQ(TIFFReadDirectory(t), 0) << "one page only";
  TIFFClose(t);
}

INSTANTIATE_TEST_SUITE_P(BitDepths, TiffEncoding, ::testing::Values(8U, 12U, 16U, 32U));

TEST(TiffEncoding, AFrameWhosePixelsDoNotMatchItsGeometryIsRefused) {
  FrameData frame = FrameData::with_capacity(64);
  test::fill_ramp(frame, 0, 4, 4, 16);
  frame.width = 5;  // 5 x 4 x 2 bytes expected, 32 held
  try {
    (void)encode_tiff(frame.view());
    FAIL() << "encoded a frame with the wrong number of pixel bytes";
  } catch (const StorageError& e) {
    EXPECT_EQ(e.kind(), StorageError::Kind::invalid_frame);
    EXPECT_NE(std::string(e.what()).find("40"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace daq::storage
