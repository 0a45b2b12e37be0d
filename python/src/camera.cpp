#include "camera.hpp"

#include <pybind11/pybind11.h>

#include <string>
#include <utility>

#include "daq/acquisition/camera_factory.hpp"
#include "daq/pipeline/delivery.hpp"
#include "stream.hpp"
#include "tap.hpp"

namespace daq::python {
namespace {

acquisition::CameraSettings with_frames(acquisition::CameraSettings camera, std::uint64_t frames) {
  camera.frames = frames;
  camera.given.insert("--frames");
  return camera;
}

}  // namespace

Camera::Camera(acquisition::Settings settings) : settings_(std::move(settings)) {
  // The camera factory is the validator; the source it builds is not started.
  const acquisition::CameraSetup setup = acquisition::make_camera(settings_.camera);
  const bool planned = setup.pool_frames != 0 && !settings_.camera.was_given("--pool-frames");
  pool_frames_ = planned ? setup.pool_frames : settings_.pool_frames;
}

Camera::~Camera() = default;

std::unique_ptr<FrameProducer> Camera::open(std::uint64_t frames) const {
  acquisition::CameraSetup setup = acquisition::make_camera(with_frames(settings_.camera, frames));
  DeliveryOptions options;
  options.pool_frames = pool_frames_;
  return std::make_unique<StreamingProducer>(std::move(setup.source), options);
}

std::string Camera::acquire(const std::vector<std::pair<std::string, std::string>>& series) {
  acquisition::Settings settings = settings_;
  settings.camera.given.erase("--frames");  // the series' own frames/duration decide
  for (const auto& [key, value] : series) acquisition::set(settings, key, value);
  acquisition::apply_defaults(settings);
  if (!instrument_) instrument_ = std::make_unique<acquisition::Instrument>();
  acquisition::Instrument& instrument = *instrument_;
  bool interrupted = false;
  acquisition::Summary summary;
  {
    pybind11::gil_scoped_release released;
    instrument.prepare(settings);
    summary = instrument.run([&](const acquisition::Status&) {
      const pybind11::gil_scoped_acquire held;
      if (!interrupted && PyErr_CheckSignals() != 0) {
        interrupted = true;
        instrument.stop();
      }
    });
  }
  if (interrupted) throw pybind11::error_already_set();
  return acquisition::summary_json(summary);
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
