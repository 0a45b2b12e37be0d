#include "png_encoder.hpp"

#include <png.h>

#include <stdexcept>
#include <vector>

#include "contrast.hpp"

namespace daq::service {
namespace {

template <class Pixel>
void map_pixels(const FrameView& frame, ContrastLimits limits, std::vector<std::uint8_t>& out) {
  const std::span<const Pixel> pixels = frame.pixels_as<Pixel>();
  out.resize(pixels.size());
  for (std::size_t i = 0; i < pixels.size(); ++i) out[i] = map_linear(pixels[i], limits);
}

}  // namespace

std::string encode_png_auto_contrast(const FrameView& frame) {
  const ContrastLimits limits = auto_contrast(frame);
  std::vector<std::uint8_t> grey;
  switch (bytes_per_pixel(frame.bit_depth())) {
    case 1:
      map_pixels<std::uint8_t>(frame, limits, grey);
      break;
    case 2:
      map_pixels<std::uint16_t>(frame, limits, grey);
      break;
    default:
      map_pixels<std::uint32_t>(frame, limits, grey);
      break;
  }
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = frame.width();
  image.height = frame.height();
  image.format = PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;
  // The first call measures, the second writes.
  if (png_image_write_to_memory(&image, nullptr, &size, 0, grey.data(), 0, nullptr) == 0) {
    throw std::runtime_error(std::string("PNG encoder: ") + image.message);
  }
  std::string png(size, '\0');
  if (png_image_write_to_memory(&image, png.data(), &size, 0, grey.data(), 0, nullptr) == 0) {
    throw std::runtime_error(std::string("PNG encoder: ") + image.message);
  }
  png.resize(size);
  return png;
}

}  // namespace daq::service
