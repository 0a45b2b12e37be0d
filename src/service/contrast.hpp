// contrast.hpp — auto contrast for 8-bit renderings of a frame (GET /api/latest.png), defined
// exactly as the live view page computes it (live_view_page.html), so the two agree:
// - low / high are the 0.1 % and 99.9 % percentiles: the value at sorted index
//   ceil(N * 1 / 1000) - 1 and ceil(N * 999 / 1000) - 1 of the N pixels (integer arithmetic);
// - a pixel v maps to 0 when v <= low, 255 when v >= high, else
//   floor(((v - low) * 510 + (high - low)) / (2 * (high - low))) (rounded to nearest).
//
// Thread-safety: pure functions. Allocation: auto_contrast copies the pixel values once.
#pragma once

#include <cstdint>

#include "daq/pool/frame_view.hpp"

namespace daq::service {

struct ContrastLimits {
  std::uint32_t low = 0;
  std::uint32_t high = 0;
};

ContrastLimits auto_contrast(const FrameView& frame);

inline std::uint8_t map_linear(std::uint32_t v, ContrastLimits limits) noexcept {
  if (v <= limits.low) return 0;
  if (v >= limits.high) return 255;
  const std::uint64_t span = limits.high - limits.low;
  return static_cast<std::uint8_t>((std::uint64_t{v - limits.low} * 510 + span) / (2 * span));
}

}  // namespace daq::service
