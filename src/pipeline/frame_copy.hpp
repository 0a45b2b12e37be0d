// frame_copy.hpp — copy a FrameView into a pre-allocated FrameData (pipeline internals).
//
// Shared by the channel taps and LatestFrameReader::copy_latest. Allocates nothing; the caller checks first that
// the frame fits, so the copy itself cannot throw.
#pragma once

#include <cstring>

#include "daq/pool/frame_data.hpp"
#include "daq/pool/frame_view.hpp"

namespace daq::detail {

/// Copies metadata and pixels of `frame` into `target`.
/// Precondition: frame.pixels().size() <= target.capacity().
inline void copy_frame(const FrameView& frame, FrameData& target) noexcept {
  static_cast<FrameMetadata&>(target) = frame.metadata();
  const auto pixels = frame.pixels();
  // writable_pixels() throws only past capacity, which the precondition excludes.
  const auto out = target.writable_pixels(pixels.size());
  if (!pixels.empty()) std::memcpy(out.data(), pixels.data(), pixels.size());
}

}  // namespace daq::detail
