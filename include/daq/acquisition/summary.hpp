// daq/acquisition/summary.hpp — what one series reports at its end, in its one JSON form (the
// --summary-json file, the service), and which frame numbers the output file lacks (TIFF files
// cannot record that themselves). Front ends print it their own way (apps/daq/summary_text.hpp).
// Thread-safety: plain values and pure functions. Allocation: builds strings and vectors.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daq/pipeline/ledger.hpp"

namespace daq::acquisition {

/// The series' Stream V2 stream: every frame offered to it was sent or dropped.
struct StreamSummary {
  std::string endpoint;
  std::string compression;
  bool primary = false;       ///< the stream was the only output (no --out)
  std::uint64_t sent = 0;     ///< images handed to ZeroMQ
  std::uint64_t dropped = 0;  ///< no consumer, hwm images in flight, timed out, not taken
  std::uint64_t bytes = 0;    ///< bytes of the sent messages
  bool start_taken = false;   ///< a consumer took the start message in time
  bool end_taken = false;     ///< a consumer took the end message in time
  /// The stream's sender thread's allocations per frame after its warm-up (operator new; not
  /// libzmq's own malloc); nullopt when not measured: no thread-allocation counter, or too few
  /// frames reached it (InstrumentOptions::thread_allocations, src/acquisition/stream_output.hpp).
  std::optional<double> sender_allocations_per_frame;
};

struct Summary {
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
  /// The delivery thread's heap allocations per frame after its warm-up (a pass over the pool);
  /// nullopt when not measured (no allocation counter, or no frame past the warm-up).
  std::optional<double> hot_path_allocations_per_frame;
  std::uint64_t pool_high_water = 0;
  std::uint64_t pool_capacity = 0;
  std::uint64_t bytes_written = 0;  ///< pixel bytes of the written frames
  std::uint64_t bytes_stored = 0;   ///< what they take in the file (after compression)
  std::uint64_t frames_direct = 0;  ///< written frames that bypassed the page cache (O_DIRECT)
  std::uint64_t frames_lent = 0;    ///< frames the camera lent without a copy (zero-copy)
  double wall_time_s = 0.0;         ///< from the start of the stream until the writer finished
  /// timestamp_ns of the last written frame minus that of the first (0 with fewer than 2).
  double first_to_last_frame_s = 0.0;
  bool interrupted = false;
  std::string error;                    ///< empty on success
  std::optional<StreamSummary> stream;  ///< with --stream
};

/// Every produced frame is written or dropped: frames_produced == written + dropped.
bool ledger_balanced(const Summary& summary);

/// The rates, each with one definition (NaN when undefined: fewer than 2 frames, no time):
/// frames/s "first to last frame": (frames_written - 1) / first_to_last_frame_s, the rate the
/// file's timestamps show (what `daq inspect` prints too);
double frames_per_s_first_to_last_frame(const Summary& summary);
/// frames/s and pixel MB/s "over the run's wall time": frames_written / wall_time_s, including
/// the start-up and the writer's drain.
double frames_per_s_over_wall_time(const Summary& summary);
double mb_per_s_over_wall_time(const Summary& summary);

/// The frame numbers in [0, produced) that are not in the output file, as ordered inclusive
/// ranges: the ledger's `dropped` ranges (ordered) and, after a write error, every frame
/// delivered after the first `written` ones (writers store frames in frame-number order and
/// write nothing after an error).
std::vector<FrameRange> missing_frames(std::uint64_t produced,
                                       const std::vector<FrameRange>& dropped,
                                       std::uint64_t written);

/// "none", "7", "5-22, 30-31" (at most `limit` ranges, then "... (N ranges)").
std::string ranges_text(const std::vector<FrameRange>& ranges, std::size_t limit = 8);

/// One JSON object (nlohmann-json) with stable keys, in this order: output, camera,
/// frames_produced, frames_written, frames_dropped, dropped_by_cause (object),
/// dropped_frame_ranges ([[first, last], ...]), lost_hw_frames, frames_exposed (produced +
/// lost_hw_frames), lost_hw_frame_ranges, ledger_balanced, fallback_allocations,
/// hot_path_allocations_per_frame, pool_high_water, pool_capacity, bytes_written, bytes_stored,
/// frames_direct, frames_lent, wall_time_s, frames_per_s_over_wall_time,
/// mb_per_s_over_wall_time (pixel bytes), first_to_last_frame_s,
/// frames_per_s_first_to_last_frame, interrupted, error, stream (null without --stream, else
/// {endpoint, sent, dropped, bytes, compression, primary, start_taken, end_taken,
/// sender_allocations_per_frame}). Undefined numbers are null; text that is not UTF-8 (a file
/// name) is kept with U+FFFD for the bytes that are not.
std::string summary_json(const Summary& summary);

}  // namespace daq::acquisition
