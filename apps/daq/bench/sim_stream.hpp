// run_stream(): one SimCamera stream through StreamingProducer, measured at the primary consumer.
//
// The primary consumer thread receives every frame and releases it at once. After
// `warmup_frames` it opens a window: it reads daq::alloc_counter::global() (every thread of the
// process) and the clock, records publish → receive latency per frame, and closes the window
// after `window_s` seconds (and at least `min_frames` frames). Nothing in the bench allocates
// inside the window: the latency vector is reserved, the other threads only wait, and library
// logging is quiet; so the window's allocation count is the frame path's own.
//
// Paths (1 primary, optionally 1 tap, same camera settings):
//   legacy  DeliveryOptions::use_pool = false (a heap frame per frame) and the primary is a
//           subscribe_frames() receiver (a shared heap copy per frame); the tap is a second
//           subscriber that clones each frame's pixels (the ADR's "tap data clone").
//   pooled  8 pooled frames, register_primary_output() on a channel of 8, and a channel tap
//           (its own pool of 4, queue of 4, every frame). A slow consumer makes the loop wait
//           for a pooled frame (acquire timeout 1 s) and never falls back to the heap.
// Thread-safety: run_stream is called from one thread; it starts and joins its own threads.
#pragma once

#include <cstdint>
#include <vector>

#include "daq/camera/sim_camera.hpp"
#include "daq/pool/alloc_counter.hpp"

namespace daq::cli::bench {

/// The ADR's camera: 2048 x 2048, 16 bit, ramp pattern; fps 0 = free-running.
SimConfig bench_camera(double fps);

struct StreamPlan {
  SimConfig camera = bench_camera(0.0);
  bool legacy = false;  ///< the pre-pool path (see the header comment)
  bool tap = false;     ///< add the one tap
  std::uint64_t warmup_frames = 24;
  double window_s = 1.0;
  std::uint64_t min_frames = 8;
};

struct StreamWindow {
  std::uint64_t frames = 0;          ///< frames the primary received in the window
  double seconds = 0.0;              ///< length of the window
  alloc_counter::Counts allocations;  ///< operator new calls and bytes, all threads, in the window
  std::vector<double> latency_us;    ///< publish → primary receive, one per frame in the window
  double heap_frames_per_frame = 0;  ///< mmap'd heap frames per produced frame (whole stream)
  double tap_share = 0;              ///< frames the tap received / frames the primary received

  double fps() const noexcept { return seconds > 0 ? static_cast<double>(frames) / seconds : 0; }
};

/// Runs one stream as planned. Throws std::runtime_error when the camera fails or no window
/// could be measured (fewer than warmup_frames + min_frames frames arrived).
StreamWindow run_stream(const StreamPlan& plan);

}  // namespace daq::cli::bench
