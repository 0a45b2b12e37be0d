// print_summary: the text block `daq acquire` prints at the end of a run.
#include "summary_text.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace daq::cli {
namespace {

using acquisition::Summary;

Summary sample() {
  Summary s;
  s.output = "run \"1\".h5";
  s.camera = "sim:sim";
  s.frames_produced = 10;
  s.frames_written = 7;
  s.frames_dropped = 3;
  s.dropped_by_cause = {{"channel_full", 2}, {"writer_failed", 1}};
  s.missing_frames = {{2, 3}, {9, 9}};
  s.lost_hw_frames = 2;
  s.lost_hw_ranges = {{4, 5}};
  s.hot_path_allocations_per_frame = 0.25;
  s.wall_time_s = 0.08;            // 7 frames: 87.5 frames/s, 50 MB/s over the wall time
  s.first_to_last_frame_s = 0.05;  // 6 intervals: 120 frames/s first to last frame
  s.bytes_written = 4'000'000;
  s.bytes_stored = 1'000'000;
  s.frames_direct = 6;
  s.frames_lent = 5;
  return s;
}

TEST(PrintSummary, ShowsTheLedgerTheHolesAndTheOutcome) {
  Summary s = sample();
  s.interrupted = true;
  s.error = "cannot write frame 7";
  std::ostringstream out;
  print_summary(out, s);
  const std::string text = out.str();
  for (const char* expected :
       {"summary (interrupted)", "frames dropped   3 (channel_full 2, writer_failed 1)",
        "not in the file  2-3, 9", "lost hw frames   2 (4-5)",
        "camera losses    2 of 12 exposed frames lost (16.7 %) before the pipeline took them",
        "0.250 per frame", "stored           1.0 MB of 4.0 MB pixels (ratio 4.00)",
        "direct I/O       6 frames bypassed the page cache",
        "zero-copy        5 frames lent by the camera without a copy",
        "rate             120.00 frames/s first to last frame (0.050 s)",
        "87.50 frames/s, 50.0 MB/s over the run's wall time (0.08 s)", "ledger           balanced",
        "error            cannot write frame 7"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " not in\n" << text;
  }
  s.frames_written = 5;
  std::ostringstream unbalanced;
  print_summary(unbalanced, s);
  EXPECT_NE(unbalanced.str().find("NOT BALANCED"), std::string::npos);
}

}  // namespace
}  // namespace daq::cli
