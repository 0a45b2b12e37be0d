#include "image_binning.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace {

template <class Pixel>
daq::v1::Image bin(const std::vector<Pixel>& pixels, std::uint32_t width, std::uint32_t height,
                   std::uint32_t bit_depth, std::uint32_t binning) {
  daq::FrameMetadata metadata;
  metadata.frame_number = 7;
  metadata.hw_frame_nr = 9;
  metadata.width = width;
  metadata.height = height;
  metadata.bit_depth = bit_depth;
  const daq::FrameView frame(
      {reinterpret_cast<const std::byte*>(pixels.data()), pixels.size() * sizeof(Pixel)}, metadata);
  daq::v1::Image image;
  daq::service::bin_image(frame, binning, image);
  return image;
}

template <class Pixel>
std::vector<Pixel> pixels_of(const daq::v1::Image& image) {
  std::vector<Pixel> out(image.pixels().size() / sizeof(Pixel));
  std::memcpy(out.data(), image.pixels().data(), image.pixels().size());
  return out;
}

TEST(ImageBinning, AveragesBlocksAndLeavesPartialEdgeBlocksOut) {
  // 5 x 3, 16-bit: value = 10 * y + x.
  std::vector<std::uint16_t> pixels;
  for (std::uint16_t y = 0; y < 3; ++y) {
    for (std::uint16_t x = 0; x < 5; ++x) pixels.push_back(static_cast<std::uint16_t>(10 * y + x));
  }
  const daq::v1::Image image = bin(pixels, 5, 3, 12, 2);
  EXPECT_EQ(image.width(), 2U);
  EXPECT_EQ(image.height(), 1U);
  EXPECT_EQ(image.binning(), 2U);
  EXPECT_EQ(image.bit_depth(), 12U);
  EXPECT_EQ(image.frame_number(), 7U);
  EXPECT_EQ(image.hw_frame_nr(), 9U);
  // (0 + 1 + 10 + 11) / 4 = 5, (2 + 3 + 12 + 13) / 4 = 7 (integer average)
  EXPECT_EQ(pixels_of<std::uint16_t>(image), (std::vector<std::uint16_t>{5, 7}));
}

TEST(ImageBinning, NoBinningCopiesEveryPixel) {
  const std::vector<std::uint8_t> pixels = {1, 2, 3, 4, 5, 6};
  for (const std::uint32_t binning : {0U, 1U}) {
    const daq::v1::Image image = bin(pixels, 3, 2, 8, binning);
    EXPECT_EQ(image.binning(), 1U);
    EXPECT_EQ(pixels_of<std::uint8_t>(image), pixels);
  }
}

TEST(ImageBinning, ThirtyTwoBitPixelsDoNotOverflowTheSum) {
  const std::vector<std::uint32_t> pixels(4, 0xFFFFFFF0U);
  const daq::v1::Image image = bin(pixels, 2, 2, 32, 2);
  EXPECT_EQ(pixels_of<std::uint32_t>(image), (std::vector<std::uint32_t>{0xFFFFFFF0U}));
}

}  // namespace
