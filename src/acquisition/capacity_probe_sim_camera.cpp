// capacity_probe_sim_camera.cpp — the simulated camera probe: a pattern frame and the camera's
// own CPU time per frame. The pattern code is internal to the camera layer, so the frame comes
// through the public FrameSource, as the delivery loop would get it.
#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "capacity_probe_clock.hpp"
#include "daq/acquisition/capacity_probe.hpp"

namespace daq::acquisition {
namespace {

constexpr std::chrono::seconds kFrameTimeout{5};

/// Stops the source on every way out.
struct StopOnExit {
  FrameSource& source;
  ~StopOnExit() { source.stop(); }
};

/// Waits for and copies the next frame, stamped as the delivery loop stamps it; throws
/// SourceError when none comes.
void next_frame(FrameSource& source, const SourceFormat& format, FrameData& frame) {
  PendingFrame pending;
  if (source.wait_frame(kFrameTimeout, pending) != SourceStatus::frame_ready) {
    throw SourceError("the simulated camera delivered no frame: " + source.error_message());
  }
  source.read_frame(frame);
  stamp_frame(frame, format, pending);
}

}  // namespace

SimCameraProbe probe_sim_camera(SimConfig config, ProbeMode mode) {
  config.fps = 0.0;  // free-running: as fast as the frames are taken
  config.exposure_ms = 0.0;
  config.frame_count = 0;
  config.faults.clear();
  config.cycle_frames = 1;  // noise/realistic render their cycle at prepare(): keep it short

  const auto source = make_sim_source(std::move(config));
  const SourceFormat format = source->prepare();
  SimCameraProbe probe{FrameData::with_capacity(format.frame_bytes), 0.0, 0};
  FrameData scratch = FrameData::with_capacity(format.frame_bytes);
  source->start();
  const StopOnExit stop{*source};

  next_frame(*source, format, probe.frame);
  const double budget = probe_seconds(mode);
  const double wall_start = detail::wall_seconds();
  const double process_start = detail::process_cpu_seconds();
  const double own_start = detail::thread_cpu_seconds();
  do {
    next_frame(*source, format, scratch);
    ++probe.frames;
  } while (detail::wall_seconds() - wall_start < budget);
  // What the process spent beside this thread's waiting and copying is the camera's own work.
  const double others =
      (detail::process_cpu_seconds() - process_start) - (detail::thread_cpu_seconds() - own_start);
  probe.cpu_s_per_frame = std::max(0.0, others) / static_cast<double>(probe.frames);
  return probe;
}

}  // namespace daq::acquisition
