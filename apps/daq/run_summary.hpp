// What `daq acquire` reports at the end of a run, as text for people and JSON for scripts,
// and which frame numbers the output file lacks (TIFF files cannot record that themselves).
// Thread-safety: plain values and pure functions. Allocation: builds strings and vectors.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "daq/pipeline/ledger.hpp"

namespace daq::cli {

struct RunSummary {
  std::string output;
  std::string camera;
  std::uint64_t frames_produced = 0;
  std::uint64_t frames_written = 0;
  std::uint64_t frames_dropped = 0;
  std::map<std::string, std::uint64_t> dropped_by_cause;  ///< only causes that occurred
  std::vector<FrameRange> missing_frames;  ///< frame numbers not in the file (missing_frames())
  std::uint64_t lost_hw_frames = 0;
  std::vector<FrameRange> lost_hw_ranges;  ///< hardware frame numbers the camera skipped
  std::uint64_t fallback_allocations = 0;
  double hot_path_allocations_per_frame = 0.0;
  std::uint64_t pool_high_water = 0;
  std::uint64_t pool_capacity = 0;
  std::uint64_t bytes_written = 0;  ///< pixel bytes of the written frames
  std::uint64_t bytes_stored = 0;   ///< what they take in the file (after compression)
  std::uint64_t frames_direct = 0;  ///< written frames that bypassed the page cache (O_DIRECT)
  double duration_s = 0.0;
  double fps = 0.0;
  double mb_per_s = 0.0;
  bool interrupted = false;
  std::string error;  ///< empty on success
};

/// The frame numbers in [0, produced) that are not in the output file, as ordered inclusive
/// ranges: the ledger's `dropped` ranges (ordered) and, after a write error, every frame
/// delivered after the first `written` ones (writers store frames in frame-number order and
/// write nothing after an error).
std::vector<FrameRange> missing_frames(std::uint64_t produced,
                                       const std::vector<FrameRange>& dropped,
                                       std::uint64_t written);

/// "none", "7", "5-22, 30-31" (at most `limit` ranges, then "... (N ranges)").
std::string ranges_text(const std::vector<FrameRange>& ranges, std::size_t limit = 8);

/// The human-readable summary block.
void print_summary(std::ostream& out, const RunSummary& summary);

/// One JSON object with stable keys: output, camera, frames_produced, frames_written,
/// frames_dropped, dropped_by_cause (object), dropped_frame_ranges and lost_hw_frame_ranges
/// ([[first, last], ...]), lost_hw_frames, frames_exposed (produced + lost_hw_frames),
/// ledger_balanced, fallback_allocations, hot_path_allocations_per_frame, pool_high_water, pool_capacity, bytes_written,
/// bytes_stored, duration_s, fps, mb_per_s (pixel bytes written per second), interrupted, error.
std::string summary_json(const RunSummary& summary);

/// JSON string literal for `text` (quotes, backslashes and control characters escaped).
std::string json_string(const std::string& text);

}  // namespace daq::cli
