// The physical limit every frame figure is compared with: one thread copying a frame of `bytes`
// from an SDK buffer into a pre-faulted frame, as a driver's read_frame() does, with both
// buffers as warm as the caches keep them (the best case: a ceiling, not a typical copy).
// The pipeline comes close to it because the pool lends the most recently returned frame first
// and the SimCamera's SDK buffer is a ring of rows one frame long: both stay warm too.
// Allocation: maps 2 frames of `bytes` for the measurement (freed before returning).
#pragma once

#include <cstddef>

namespace daq::cli::bench {

/// The 2048 x 2048 x 16-bit frame that the frame sections use (8 MiB).
inline constexpr std::size_t kFrameBytes = std::size_t{2048} * 2048 * 2;

/// Wall-clock seconds per copy of `bytes`, averaged over `copies` copies (after one warm-up).
double memcpy_seconds_per_frame(std::size_t bytes, std::size_t copies);

}  // namespace daq::cli::bench
