// sample_summary.hpp — one Summary with every kind of content (drops by cause, holes, lost
// hardware frames, both rates), for the tests of its JSON form and of its printed form.
#pragma once

#include "daq/acquisition/summary.hpp"

namespace daq::test {

inline acquisition::Summary sample_summary() {
  acquisition::Summary s;
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

}  // namespace daq::test
