// image_binning.hpp — a frame N x N binned: pixels averaged over each block (partial blocks at
// the right and bottom edges are left out); pixels keep their size (1, 2 or 4 bytes,
// little-endian). bin_pixels() writes into a caller's buffer (no allocation: the live view
// reuses its buffers); bin_image() fills a v1::Image (allocates its pixel bytes).
// Runs on the caller's thread (gRPC or the live view's), never the delivery thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "daq/pool/frame_view.hpp"
#include "daq/v1/detector.pb.h"

namespace daq::service {

inline constexpr std::uint32_t kMaxImageBinning = 64;

/// Bytes bin_pixels() writes for `frame` at `binning` (0 means 1).
std::size_t binned_bytes(const FrameView& frame, std::uint32_t binning) noexcept;

/// Writes the binned pixels into `out`, which holds at least binned_bytes(frame, binning).
void bin_pixels(const FrameView& frame, std::uint32_t binning, std::span<std::byte> out) noexcept;

/// `binning` 0 means 1; the caller checked binning <= kMaxImageBinning.
void bin_image(const FrameView& frame, std::uint32_t binning, v1::Image& image);

}  // namespace daq::service
