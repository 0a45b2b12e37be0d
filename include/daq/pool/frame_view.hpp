// daq/pool/frame_view.hpp — FrameView: a non-owning, read-only view of one frame.
//
// What observers receive. It holds a span of the pixels and a copy of the metadata, never owns
// anything, and must not outlive the frame it views (an observer that wants to keep pixels
// copies them). Copyable, trivially destructible, allocates nothing.
// FrameView lives in layer 0 beside FrameData (docs/adr/0001-layout.md) so that
// FrameData::view() can return it without layer 0 depending on layer 1.
//
// Thread-safety: a view is immutable; it can be read from several threads while its frame lives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace daq {

/// Binning factors (horizontal, vertical).
struct Binning {
  std::uint16_t x = 1;
  std::uint16_t y = 1;
  friend bool operator==(const Binning&, const Binning&) = default;
};

/// Per-frame metadata, shared by FrameData and FrameView (same names as the ADR).
struct FrameMetadata {
  std::uint64_t frame_number = 0;  ///< assigned by the delivery loop: 0, 1, 2, ...
  std::int64_t hw_frame_nr = -1;   ///< the camera's own frame number; -1 when it has none
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint32_t bit_depth = 0;     ///< significant bits per pixel (12-bit data is stored in 16)
  std::uint64_t timestamp_ns = 0;  ///< time the frame was read out, steady clock
  double exposure_ms = 0.0;
  std::uint32_t roi_x = 0;
  std::uint32_t roi_y = 0;
  std::optional<double> temperature_c;
  std::optional<Binning> binning;

  friend bool operator==(const FrameMetadata&, const FrameMetadata&) = default;
};

/// Bytes per stored pixel for a bit depth: 1 up to 8 bits, 2 up to 16, 4 up to 32; 0 otherwise.
constexpr std::size_t bytes_per_pixel(std::uint32_t bit_depth) noexcept {
  if (bit_depth == 0 || bit_depth > 32) return 0;
  return bit_depth <= 8 ? 1 : bit_depth <= 16 ? 2 : 4;
}

class FrameView {
 public:
  FrameView(std::span<const std::byte> pixels, const FrameMetadata& metadata) noexcept
      : pixels_(pixels), metadata_(metadata) {}

  std::span<const std::byte> pixels() const noexcept { return pixels_; }
  const FrameMetadata& metadata() const noexcept { return metadata_; }

  std::uint64_t frame_number() const noexcept { return metadata_.frame_number; }
  std::int64_t hw_frame_nr() const noexcept { return metadata_.hw_frame_nr; }
  std::uint32_t width() const noexcept { return metadata_.width; }
  std::uint32_t height() const noexcept { return metadata_.height; }
  std::uint32_t bit_depth() const noexcept { return metadata_.bit_depth; }
  std::uint64_t timestamp_ns() const noexcept { return metadata_.timestamp_ns; }
  double exposure_ms() const noexcept { return metadata_.exposure_ms; }

  /// The pixels as `Pixel` (std::uint8_t, std::uint16_t or std::uint32_t). Throws
  /// std::invalid_argument when sizeof(Pixel) does not match the stored pixel size.
  template <class Pixel>
  std::span<const Pixel> pixels_as() const {
    static_assert(std::is_same_v<Pixel, std::uint8_t> || std::is_same_v<Pixel, std::uint16_t> ||
                      std::is_same_v<Pixel, std::uint32_t>,
                  "pixels_as<Pixel>: Pixel must be uint8_t, uint16_t or uint32_t");
    if (sizeof(Pixel) != bytes_per_pixel(metadata_.bit_depth)) {
      throw std::invalid_argument("FrameView::pixels_as: pixel type does not match bit depth");
    }
    // The pixel buffers are page-aligned and frames hold whole pixels.
    return {reinterpret_cast<const Pixel*>(pixels_.data()), pixels_.size() / sizeof(Pixel)};
  }

 private:
  std::span<const std::byte> pixels_;
  FrameMetadata metadata_;
};

}  // namespace daq
