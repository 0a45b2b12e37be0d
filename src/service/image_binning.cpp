#include "image_binning.hpp"

#include <algorithm>
#include <cstring>
#include <span>
#include <string>

namespace daq::service {
namespace {

template <class Pixel>
void bin_pixels(std::span<const Pixel> in, std::uint32_t width, std::uint32_t n,
                std::uint32_t out_width, std::uint32_t out_height, std::string& out) {
  out.resize(std::size_t{out_width} * out_height * sizeof(Pixel));
  const std::uint64_t area = std::uint64_t{n} * n;
  for (std::uint32_t oy = 0; oy < out_height; ++oy) {
    for (std::uint32_t ox = 0; ox < out_width; ++ox) {
      std::uint64_t sum = 0;
      for (std::uint32_t dy = 0; dy < n; ++dy) {
        const std::size_t row = (std::size_t{oy} * n + dy) * width + std::size_t{ox} * n;
        for (std::uint32_t dx = 0; dx < n; ++dx) sum += in[row + dx];
      }
      const auto value = static_cast<Pixel>(sum / area);
      std::memcpy(out.data() + (std::size_t{oy} * out_width + ox) * sizeof(Pixel), &value,
                  sizeof(Pixel));
    }
  }
}

}  // namespace

void bin_image(const FrameView& frame, std::uint32_t binning, v1::Image& image) {
  const std::uint32_t n = std::max<std::uint32_t>(binning, 1);
  const std::uint32_t out_width = frame.width() / n;
  const std::uint32_t out_height = frame.height() / n;
  image.set_frame_number(frame.frame_number());
  image.set_hw_frame_nr(static_cast<std::uint64_t>(std::max<std::int64_t>(frame.hw_frame_nr(), 0)));
  image.set_timestamp_ns(frame.timestamp_ns());
  image.set_width(out_width);
  image.set_height(out_height);
  image.set_bit_depth(frame.bit_depth());
  image.set_binning(n);
  std::string& out = *image.mutable_pixels();
  switch (bytes_per_pixel(frame.bit_depth())) {
    case 1:
      bin_pixels(frame.pixels_as<std::uint8_t>(), frame.width(), n, out_width, out_height, out);
      break;
    case 2:
      bin_pixels(frame.pixels_as<std::uint16_t>(), frame.width(), n, out_width, out_height, out);
      break;
    default:
      bin_pixels(frame.pixels_as<std::uint32_t>(), frame.width(), n, out_width, out_height, out);
      break;
  }
}

}  // namespace daq::service
