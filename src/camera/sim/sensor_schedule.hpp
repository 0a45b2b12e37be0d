// sensor_schedule.hpp — when a simulated sensor exposes which frame. Internal to the simulated
// cameras (SimCamera and pvcam-sim share it); not API.
//
// The schedule walks the sensor's frame indices 0, 1, 2, ... and applies the fault script:
// gaps skip indices, stalls delay, bursts drop the pacing, sdk_error/disconnect end the stream.
// Paced (fps > 0): frame i is due at a fixed interval from the last re-origin (a stall or burst),
// so frames the sensor could not place in the buffer still take their time slot. Free-running:
// a frame is due `exposure_ms` after the previous one was exposed (immediately when 0).
//
// Thread-safety: one thread (the sensor thread) uses an instance. Allocation: construction only.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "daq/camera/fault_script.hpp"

namespace daq::sim {

using Clock = std::chrono::steady_clock;

struct SensorTiming {
  double fps = 0.0;          ///< 0 = free-running
  double exposure_ms = 0.0;  ///< free-running: the minimum frame period
};

class SensorSchedule {
 public:
  enum class Event { frame, finished, sdk_error, disconnect };
  struct Step {
    Event event = Event::finished;
    std::uint64_t index = 0;  ///< the sensor frame index of `frame` (or where the stream ended)
    Clock::time_point due;    ///< when the frame is read out (frame events only)
  };

  SensorSchedule(SensorTiming timing, std::vector<Fault> faults);

  /// Starts a new acquisition of `frame_count` frames (0: continuous) at index 0; the first
  /// frame is due one period after `now` (immediately when free-running without exposure).
  void restart(Clock::time_point now, std::uint64_t frame_count) noexcept;

  /// The next event. Indices inside gaps are skipped; every call advances by one frame. Once
  /// the stream ended (finished, sdk_error, disconnect) every call returns that end.
  Step next() noexcept;

  /// Free-running pacing: the frame of the last step was exposed at `when`.
  void exposed(Clock::time_point when) noexcept { last_exposed_ = when; }

  bool paced() const noexcept { return timing_.fps > 0.0; }

 private:
  Clock::time_point paced_due(std::uint64_t index) const noexcept;

  SensorTiming timing_;
  std::uint64_t frame_count_ = 0;  // of this acquisition; 0 = continuous
  std::vector<Fault> faults_;      // sorted by frame
  Clock::duration period_{};
  std::size_t cursor_ = 0;
  std::uint64_t index_ = 0;
  Event ended_ = Event::frame;  // frame = still running
  Clock::time_point origin_;
  std::uint64_t origin_index_ = 0;
  Clock::time_point last_exposed_;
  std::uint64_t burst_until_ = 0;
  Clock::time_point burst_due_;
};

}  // namespace daq::sim
