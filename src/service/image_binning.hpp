// image_binning.hpp — a frame as a v1::Image, N x N pixels averaged (partial blocks at the
// right and bottom edges are left out). Pixels keep their size (1, 2 or 4 bytes, little-endian).
// Runs on the caller's (gRPC) thread; allocates the image's pixel bytes.
#pragma once

#include <cstdint>

#include "daq/pool/frame_view.hpp"
#include "daq/v1/detector.pb.h"

namespace daq::service {

inline constexpr std::uint32_t kMaxImageBinning = 64;

/// `binning` 0 means 1; the caller checked binning <= kMaxImageBinning.
void bin_image(const FrameView& frame, std::uint32_t binning, v1::Image& image);

}  // namespace daq::service
