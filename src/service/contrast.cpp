#include "contrast.hpp"

#include <algorithm>
#include <vector>

namespace daq::service {
namespace {

template <class Pixel>
std::vector<std::uint32_t> values_of(const FrameView& frame) {
  const std::span<const Pixel> pixels = frame.pixels_as<Pixel>();
  return {pixels.begin(), pixels.end()};
}

std::uint32_t at_rank(std::vector<std::uint32_t>& values, std::size_t rank) {
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank),
                   values.end());
  return values[rank];
}

}  // namespace

ContrastLimits auto_contrast(const FrameView& frame) {
  std::vector<std::uint32_t> values;
  switch (bytes_per_pixel(frame.bit_depth())) {
    case 1:
      values = values_of<std::uint8_t>(frame);
      break;
    case 2:
      values = values_of<std::uint16_t>(frame);
      break;
    default:
      values = values_of<std::uint32_t>(frame);
      break;
  }
  if (values.empty()) return {};
  const std::size_t n = values.size();
  const std::size_t low_rank = (n + 999) / 1000 - 1;
  const std::size_t high_rank = (n * 999 + 999) / 1000 - 1;
  ContrastLimits limits;
  limits.high = at_rank(values, high_rank);
  limits.low = at_rank(values, low_rank);
  return limits;
}

}  // namespace daq::service
