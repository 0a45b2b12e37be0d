// The live progress display of `daq acquire`: one rewritten line on a terminal, a log line
// every few seconds otherwise. Called from the main thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace daq::cli {

struct ProgressSample {
  std::uint64_t frames_written = 0;
  std::uint64_t frames_total = 0;  ///< 0 when the run is open-ended
  std::uint64_t bytes_written = 0;
  std::uint64_t dropped = 0;
  std::uint64_t lost_hw = 0;  ///< frames the camera exposed that never reached the pipeline
  std::uint64_t pool_in_use = 0;
  std::uint64_t pool_high_water = 0;
  std::uint64_t pool_capacity = 0;
  double elapsed_s = 0.0;
  double duration_limit_s = 0.0;  ///< 0 when there is no --duration
  bool streaming = false;         ///< --stream: the stream's counts follow
  std::uint64_t stream_sent = 0;
  std::uint64_t stream_dropped = 0;
  bool finished = false;  ///< the run has ended: the time it took instead of an ETA
};

/// "412/1000 frames | 99.8 fps | 837.4 MB/s | pool 3/8 (peak 5) | dropped 0 | ETA 5.9 s":
/// frames written (of the total), mean rates so far, pooled frames in use of the capacity
/// (peak: the high-water mark), frames dropped, time left. When the camera lost frames before
/// they reached the pipeline (its buffer overran), "| lost in camera N" follows the drops;
/// with --stream, "| stream sent N dropped M" follows.
/// A finished sample ends with "| done in 4.1 s" instead of the ETA.
std::string format_progress(const ProgressSample& sample);

class ProgressDisplay {
 public:
  /// `interactive`: rewrite one line on `out` (a terminal); otherwise log a line every
  /// `log_every`, the first one `log_every` after construction (the summary covers short runs).
  ProgressDisplay(std::FILE* out, bool interactive,
                  std::chrono::seconds log_every = std::chrono::seconds(5));
  void update(const ProgressSample& sample);
  /// Ends the live display with the run's final state (`last`, drawn as finished) and a
  /// newline, so that the summary starts on a fresh line and no stale ETA stays on screen.
  /// Not a terminal: nothing (the summary follows).
  void finish(ProgressSample last);

 private:
  std::FILE* out_;
  bool interactive_;
  std::chrono::seconds log_every_;
  std::chrono::steady_clock::time_point last_log_;
};

}  // namespace daq::cli
