// What `daq acquire` reports at the end of a run, as text for people and JSON for scripts.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

namespace daq::cli {

struct RunSummary {
  std::string output;
  std::string camera;
  std::uint64_t frames_produced = 0;
  std::uint64_t frames_written = 0;
  std::uint64_t frames_dropped = 0;
  std::map<std::string, std::uint64_t> dropped_by_cause;  ///< only causes that occurred
  std::uint64_t lost_hw_frames = 0;
  std::uint64_t fallback_allocations = 0;
  double hot_path_allocations_per_frame = 0.0;
  std::uint64_t pool_high_water = 0;
  std::uint64_t pool_capacity = 0;
  std::uint64_t bytes_written = 0;
  double duration_s = 0.0;
  double fps = 0.0;
  double mb_per_s = 0.0;
  bool interrupted = false;
  std::string error;  ///< empty on success
};

/// The human-readable summary block.
void print_summary(std::ostream& out, const RunSummary& summary);

/// One JSON object with stable keys (frames_produced, frames_written, frames_dropped,
/// dropped_by_cause, fallback_allocations, hot_path_allocations_per_frame, fps, mb_per_s,
/// output, ...).
std::string summary_json(const RunSummary& summary);

/// JSON string literal for `text` (quotes, backslashes and control characters escaped).
std::string json_string(const std::string& text);

}  // namespace daq::cli
