#include "image_binning.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace daq::service {
namespace {

template <class Pixel>
void bin_typed(std::span<const Pixel> in, std::uint32_t width, std::uint32_t n,
               std::uint32_t out_width, std::uint32_t out_height, std::byte* out) noexcept {
  const std::uint64_t area = std::uint64_t{n} * n;
  for (std::uint32_t oy = 0; oy < out_height; ++oy) {
    for (std::uint32_t ox = 0; ox < out_width; ++ox) {
      std::uint64_t sum = 0;
      for (std::uint32_t dy = 0; dy < n; ++dy) {
        const std::size_t row = (std::size_t{oy} * n + dy) * width + std::size_t{ox} * n;
        for (std::uint32_t dx = 0; dx < n; ++dx) sum += in[row + dx];
      }
      const auto value = static_cast<Pixel>(sum / area);
      std::memcpy(out + (std::size_t{oy} * out_width + ox) * sizeof(Pixel), &value, sizeof(Pixel));
    }
  }
}

std::uint32_t factor(std::uint32_t binning) noexcept {
  return std::max<std::uint32_t>(binning, 1);
}

}  // namespace

std::size_t binned_bytes(const FrameView& frame, std::uint32_t binning) noexcept {
  const std::uint32_t n = factor(binning);
  return std::size_t{frame.width() / n} * (frame.height() / n) * bytes_per_pixel(frame.bit_depth());
}

void bin_pixels(const FrameView& frame, std::uint32_t binning, std::span<std::byte> out) noexcept {
  const std::uint32_t n = factor(binning);
  const std::uint32_t out_width = frame.width() / n;
  const std::uint32_t out_height = frame.height() / n;
  switch (bytes_per_pixel(frame.bit_depth())) {
    case 1:
      bin_typed(frame.pixels_as<std::uint8_t>(), frame.width(), n, out_width, out_height,
                out.data());
      break;
    case 2:
      bin_typed(frame.pixels_as<std::uint16_t>(), frame.width(), n, out_width, out_height,
                out.data());
      break;
    default:
      bin_typed(frame.pixels_as<std::uint32_t>(), frame.width(), n, out_width, out_height,
                out.data());
      break;
  }
}

void bin_image(const FrameView& frame, std::uint32_t binning, v1::Image& image) {
  const std::uint32_t n = factor(binning);
  image.set_frame_number(frame.frame_number());
  image.set_hw_frame_nr(static_cast<std::uint64_t>(std::max<std::int64_t>(frame.hw_frame_nr(), 0)));
  image.set_timestamp_ns(frame.timestamp_ns());
  image.set_width(frame.width() / n);
  image.set_height(frame.height() / n);
  image.set_bit_depth(frame.bit_depth());
  image.set_binning(n);
  std::string& out = *image.mutable_pixels();
  out.resize(binned_bytes(frame, n));
  bin_pixels(frame, n, std::as_writable_bytes(std::span(out)));
}

}  // namespace daq::service
