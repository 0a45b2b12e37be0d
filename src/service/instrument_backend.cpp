#include "daq/service/instrument_backend.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <utility>

#include "config_mapping.hpp"
#include "daq/pipeline/frame_source.hpp"
#include "daq/service/service_error.hpp"

namespace daq::service {
namespace {

/// The settings of a series writing `out`.
acquisition::Settings for_file(acquisition::Settings settings, const std::filesystem::path& out,
                               bool overwrite) {
  settings.out = out.string();
  settings.overwrite = overwrite;
  acquisition::apply_defaults(settings);
  return settings;
}

/// `options` with room in every pool for the frames the preview holds.
acquisition::InstrumentOptions with_preview(acquisition::InstrumentOptions options) {
  options.tap_frames_held += InstrumentBackend::kPreviewFramesHeld;
  return options;
}

}  // namespace

InstrumentBackend::InstrumentBackend(acquisition::Settings initial,
                                     const std::filesystem::path& data_dir,
                                     acquisition::InstrumentOptions options)
    : probe_file_(data_dir / ".daq-serve-probe.h5"),
      instrument_(with_preview(options)),
      settings_(std::move(initial)) {
  // ConfigError names the command line's flags here.
  instrument_.prepare(for_file(settings_, probe_file_, true));
  attach_preview();
}

void InstrumentBackend::attach_preview() {
  if (instrument_.camera_openings() == preview_opening_) return;
  const double fps = settings_.camera.fps;
  const auto every = fps > 0 ? static_cast<std::uint32_t>(std::ceil(fps / kPreviewHz)) : 10U;
  SharingTap tap = instrument_.add_sharing_tap(
      "preview", {.decimation = std::max(every, 1U), .frames_held = kPreviewFramesHeld});
  preview_frames_ = std::make_unique<LatestFrame>(std::move(tap.frames));
  preview_ = preview_frames_->reader();
  preview_opening_ = instrument_.camera_openings();
}

InstrumentBackend::~InstrumentBackend() {
  instrument_.stop();
  if (control_.joinable()) control_.join();
}

void InstrumentBackend::prepare(acquisition::Settings settings, const std::filesystem::path& out,
                                bool overwrite) {
  try {
    instrument_.prepare(for_file(std::move(settings), out, overwrite));
  } catch (const ConfigError& e) {
    throw config_refusal(e);
  }
}

v1::DetectorInfo InstrumentBackend::info() const {
  const std::lock_guard lock(mutex_);
  const SourceFormat format = instrument_.format();
  v1::DetectorInfo info;
  info.set_camera(instrument_.camera_name());
  info.set_model(instrument_.camera_model());
  info.set_sensor_width(format.sensor_width != 0 ? format.sensor_width : format.width);
  info.set_sensor_height(format.sensor_height != 0 ? format.sensor_height : format.height);
  // The simulated camera makes every depth the writers store; a real one its own.
  if (instrument_.camera_model() == "SimCamera") {
    for (const std::uint32_t depth : {8U, 12U, 16U, 32U}) info.add_bit_depths(depth);
  } else {
    info.add_bit_depths(format.bit_depth);
  }
  info.set_software_version(DAQ_VERSION);
  return info;
}

v1::AcquisitionConfig InstrumentBackend::config() const {
  const std::lock_guard lock(mutex_);
  return config_message(settings_);
}

v1::AcquisitionConfig InstrumentBackend::set_config(const v1::AcquisitionConfig& patch) {
  const std::lock_guard lock(mutex_);
  if (running_) {
    throw ServiceError(ErrorCode::failed_precondition,
                       "SetConfig: series " + std::to_string(series_id_) +
                           " is running (Stop, Abort or WaitIdle first)");
  }
  acquisition::Settings changed = settings_;
  apply_config(patch, changed);
  prepare(changed, probe_file_, true);
  settings_ = std::move(changed);
  attach_preview();
  return config_message(settings_);
}

std::uint64_t InstrumentBackend::start(const std::filesystem::path& file, bool overwrite) {
  std::unique_lock lock(mutex_);
  if (running_) {
    throw ServiceError(ErrorCode::failed_precondition,
                       "Start: series " + std::to_string(series_id_) +
                           " is running (Stop, Abort or WaitIdle first)");
  }
  prepare(settings_, file, overwrite);
  attach_preview();
  try {
    instrument_.open();
  } catch (const ConfigError& e) {
    throw config_refusal(e);
  }
  if (control_.joinable()) control_.join();  // the last series' thread, already done
  const std::uint64_t id = ++series_id_;
  running_ = true;
  series_started_.store(false, std::memory_order_relaxed);
  starting_file_ = file.string();
  control_ = std::thread([this, id] { run_series(id); });
  return id;
}

void InstrumentBackend::run_series(std::uint64_t id) {
  v1::SeriesSummary summary;
  try {
    summary = summary_message(instrument_.run([this](const acquisition::Status&) {
      series_started_.store(true, std::memory_order_release);
    }),
                              id);
  } catch (const std::exception& e) {
    summary.set_series_id(id);
    summary.set_error(e.what());
  }
  {
    const std::lock_guard lock(mutex_);
    last_summary_ = std::move(summary);
    running_ = false;
  }
  idle_.notify_all();
}

void InstrumentBackend::stop() {
  instrument_.stop();
}

void InstrumentBackend::abort() {
  instrument_.abort();
}

v1::Status InstrumentBackend::status() const {
  v1::Status status;
  {
    // Between Start and the first tick of run() the instrument still shows the last series.
    const std::lock_guard lock(mutex_);
    if (running_ && !series_started_.load(std::memory_order_acquire)) {
      status.set_state(v1::ACQUIRING);
      status.set_series_id(series_id_);
      status.set_file(starting_file_);
      return status;
    }
  }
  fill_status(instrument_.status(), status);
  status.set_camera_openings(instrument_.camera_openings());
  if (const std::optional<MetricsSnapshot> metrics = instrument_.metrics()) {
    fill_metrics(*metrics, status);
  }
  const std::lock_guard lock(mutex_);
  status.set_series_id(series_id_);
  // After a series its summary is the final word: it also counts the frames the writer did
  // not store (aborted, writer_failed).
  if (!running_ && last_summary_) {
    *status.mutable_dropped_by_cause() = last_summary_->dropped_by_cause();
    status.set_frames_dropped(last_summary_->frames_dropped());
  }
  return status;
}

std::optional<v1::SeriesSummary> InstrumentBackend::wait_idle(std::chrono::nanoseconds timeout) {
  std::unique_lock lock(mutex_);
  const auto idle = [&] { return !running_; };
  if (timeout == std::chrono::nanoseconds::max()) {
    idle_.wait(lock, idle);  // wait_for would overflow the clock adding max()
  } else if (!idle_.wait_for(lock, timeout, idle)) {
    return std::nullopt;
  }
  if (last_summary_) return last_summary_;
  return v1::SeriesSummary();
}

std::optional<LatestFrameReader> InstrumentBackend::latest_frames() const {
  const std::lock_guard lock(mutex_);
  return preview_;
}

}  // namespace daq::service
