// The live progress display of `daq acquire`: one rewritten line on a terminal, a log line
// every few seconds otherwise. Called from the main thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "daq/acquisition/instrument.hpp"

namespace daq::cli {

/// "412/1000 frames | 99.8 fps | 837.4 MB/s | pool 3/8 (peak 5) | dropped 0 | ETA 5.9 s", from
/// the running series' status: frames written (of the total), mean rates so far, pooled frames
/// in use of the capacity
/// (peak: the high-water mark), frames dropped, time left. When the camera lost frames before
/// they reached the pipeline (its buffer overran), "| lost in camera N" follows the drops;
/// with --stream, "| stream sent N dropped M" follows.
/// A `finished` run ends with "| done in 4.1 s" instead of the ETA.
std::string format_progress(const acquisition::Status& status, bool finished = false);

class ProgressDisplay {
 public:
  /// `interactive`: rewrite one line on `out` (a terminal); otherwise log a line every
  /// `log_every`, the first one `log_every` after construction (the summary covers short runs).
  ProgressDisplay(std::FILE* out, bool interactive,
                  std::chrono::seconds log_every = std::chrono::seconds(5));
  void update(const acquisition::Status& status);
  /// Ends the live display with the run's final state (`last`, drawn as finished) and a
  /// newline, so that the summary starts on a fresh line and no stale ETA stays on screen.
  /// Not a terminal: nothing (the summary follows).
  void finish(const acquisition::Status& last);

 private:
  std::FILE* out_;
  bool interactive_;
  std::chrono::seconds log_every_;
  std::chrono::steady_clock::time_point last_log_;
};

}  // namespace daq::cli
