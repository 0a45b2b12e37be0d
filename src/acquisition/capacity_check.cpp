// capacity_check.cpp — from one series' settings to a capacity verdict on this machine.
#include "daq/acquisition/capacity_check.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "daq/acquisition/camera_factory.hpp"
#include "daq/acquisition/flag_names.hpp"

namespace daq::acquisition {
namespace {

constexpr std::chrono::seconds kSampleTimeout{5};

storage::Compression compression_of(const Settings& settings) {
  try {
    return storage::parse_compression(settings.compression);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(with_flag_names(e.what()));
  }
}

/// The writer's compression workers: one per core (the HDF5 writer's default).
unsigned writer_workers() {
  return std::max(1U, std::thread::hardware_concurrency());
}

/// One frame from a hardware camera: the compression sample.
FrameData camera_sample(FrameSource& source, std::size_t frame_bytes) {
  FrameData frame = FrameData::with_capacity(frame_bytes);
  source.start();
  struct StopOnExit {
    FrameSource& source;
    ~StopOnExit() { source.stop(); }
  } stop{source};
  PendingFrame pending;
  if (source.wait_frame(kSampleTimeout, pending) != SourceStatus::frame_ready) {
    throw SourceError("the camera delivered no sample frame: " + source.error_message());
  }
  source.read_frame(frame);
  return frame;
}

}  // namespace

bool is_sim_camera(const Settings& settings) {
  const std::string& camera = settings.camera.camera;
  return camera.substr(0, camera.find(':')) == "sim";
}

RunRequirement run_requirement(const Settings& settings, const SourceFormat& format,
                               const PoolPlan& pool) {
  RunRequirement run;
  run.frame_bytes = format.frame_bytes;
  run.fps = settings.camera.fps > 0 ? settings.camera.fps : format.frames_per_second;
  if (!(run.fps > 0)) {
    throw ConfigError("--fps: the check needs a frame rate above 0 (free-running has none)");
  }
  run.frame_count = settings.camera.frames;
  if (run.frame_count == 0 && settings.duration_s > 0) {
    run.frame_count = static_cast<std::uint64_t>(std::ceil(settings.duration_s * run.fps));
  }
  run.compression = compression_of(settings);
  run.pool_frames = pool.frames();
  run.stream_pool_frames = pool.stream.frames;
  run.pool_bytes = pool.bytes(format.frame_bytes);
  run.writer_workers = writer_workers();
  return run;
}

CapacityCheck check_capacity(const Settings& settings, const std::filesystem::path& directory,
                             ProbeMode mode, std::size_t tap_frames_held) {
  compression_of(settings);  // bad input before the camera is opened
  CameraSetup camera = make_camera(settings.camera);
  const SourceFormat format = camera.sim ? sim_format(*camera.sim) : camera.source->prepare();
  const RunRequirement run =
      run_requirement(settings, format, pool_plan(settings, camera.pool_frames, tap_frames_held));

  CapacityCheck check;
  ProbeTarget target;
  target.directory = directory;
  target.elem_size =
      std::max<std::size_t>(1, format.frame_bytes / (std::size_t{format.width} * format.height));
  FrameData sample;
  if (camera.sim) {
    camera.source.reset();  // the probe runs its own simulated camera
    SimCameraProbe probe = probe_sim_camera(*camera.sim, mode);
    target.camera_cpu_s_per_frame = probe.cpu_s_per_frame;
    sample = std::move(probe.frame);
  } else {
    check.camera_note = "the camera's own work is in the camera and its DMA: not counted";
    if (run.compression != storage::Compression::none) {
      sample = camera_sample(*camera.source, format.frame_bytes);
    }
    camera.source.reset();
  }
  target.sample_frame = sample.pixels();
  check.verdict = assess_capacity(run, probe_machine(run, target, mode));
  return check;
}

}  // namespace daq::acquisition
