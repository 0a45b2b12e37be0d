// ramp_check.hpp — verifying frames in tests: the SimCamera ramp, pixel by pixel, and a
// checksum to compare what two consumers saw. Test code; pure functions, no allocation except
// the text of a mismatch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>

#include "daq/pool/frame_view.hpp"

namespace daq::conformance {

/// Checks every pixel of `frame` against the ramp; returns the first mismatch as text.
inline std::optional<std::string> ramp_mismatch(const FrameView& frame, std::int64_t origin) {
  const std::uint64_t n = static_cast<std::uint64_t>(frame.hw_frame_nr() - origin);
  const std::uint32_t depth = frame.bit_depth();
  const std::uint64_t mask = depth >= 64 ? ~0ULL : (1ULL << depth) - 1;
  const std::size_t bpp = bytes_per_pixel(depth);
  const auto pixels = frame.pixels();
  if (pixels.size() != std::size_t{frame.width()} * frame.height() * bpp) {
    return "frame holds " + std::to_string(pixels.size()) + " bytes, expected " +
           std::to_string(std::size_t{frame.width()} * frame.height() * bpp);
  }
  for (std::uint32_t y = 0; y < frame.height(); ++y) {
    for (std::uint32_t x = 0; x < frame.width(); ++x) {
      std::uint64_t value = 0;
      std::memcpy(&value, pixels.data() + (std::size_t{y} * frame.width() + x) * bpp, bpp);
      const std::uint64_t expected = (x + y + n) & mask;
      if (value != expected) {
        return "frame hw " + std::to_string(frame.hw_frame_nr()) + " pixel (" + std::to_string(x) +
               ", " + std::to_string(y) + ") = " + std::to_string(value) + ", expected " +
               std::to_string(expected);
      }
    }
  }
  return std::nullopt;
}

/// FNV-1a over the pixels: what observers and the primary compare.
inline std::uint64_t checksum(std::span<const std::byte> bytes) noexcept {
  std::uint64_t h = 1469598103934665603ULL;
  for (const std::byte b : bytes) h = (h ^ static_cast<std::uint64_t>(b)) * 1099511628211ULL;
  return h;
}

}  // namespace daq::conformance
