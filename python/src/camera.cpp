#include "camera.hpp"

#include <string>
#include <utility>

#include "daq/camera/sim_camera.hpp"
#include "daq/camera/sim_pattern.hpp"
#include "stream.hpp"
#include "tap.hpp"

namespace daq::python {
namespace {

SimConfig sim_config(const CameraSettings& s, std::uint64_t frames) {
  SimConfig config;
  config.width = s.width;
  config.height = s.height;
  config.bit_depth = s.bit_depth;
  config.fps = s.fps;
  config.exposure_ms = s.exposure_ms;
  config.roi = s.roi;
  config.binning = s.binning;
  config.pattern = parse_sim_pattern(s.pattern);
  config.frame_count = frames;
  return config;
}

void check_camera_name(const std::string& camera) {
  std::string known;
  for (const std::string& name : available_cameras()) {
    if (name == camera) return;
    known += (known.empty() ? "" : ", ") + name;
  }
  throw ConfigError("camera: unknown camera '" + camera + "' (this build has: " + known + ")");
}

}  // namespace

std::vector<std::string> available_cameras() {
  return {"sim"};
}

Camera::Camera(CameraSettings settings) : settings_(std::move(settings)) {
  check_camera_name(settings_.camera);
  if (settings_.pool_frames == 0) throw ConfigError("pool_frames: at least 1, got 0");
  const SimConfig config = sim_config(settings_, 0);
  config.validate();
  format_ = sim_format(config);
}

std::unique_ptr<FrameProducer> Camera::open(std::uint64_t frames) const {
  DeliveryOptions options;
  options.pool_frames = settings_.pool_frames;
  return make_sim_camera(sim_config(settings_, frames), options);
}

std::shared_ptr<Tap> Camera::add_tap(std::uint32_t decimation, std::size_t queue) {
  auto tap = std::make_shared<Tap>(decimation, queue);
  if (const std::shared_ptr<Stream> stream = running_.lock(); stream && stream->running()) {
    stream->attach(tap);
  } else {
    waiting_taps_.push_back(tap);
  }
  return tap;
}

std::vector<std::shared_ptr<Tap>> Camera::stream_started(std::weak_ptr<Stream> stream) {
  running_ = std::move(stream);
  return std::exchange(waiting_taps_, {});
}

void Camera::stream_ended(const Stream* stream) noexcept {
  if (running_.lock().get() == stream) running_.reset();
}

}  // namespace daq::python
