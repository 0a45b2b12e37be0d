#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "daq/camera/sim_camera.hpp"
#include "daq/pool/log.hpp"
#include "pattern.hpp"
#include "sensor_schedule.hpp"
#include "sim_buffer.hpp"
#include "sim_setup.hpp"

namespace daq {
namespace {

class SimSource final : public FrameSource {
 public:
  explicit SimSource(SimConfig config) : config_(std::move(config)), name_("sim:" + config_.name) {}
  ~SimSource() override { stop(); }
  SimSource(const SimSource&) = delete;
  SimSource& operator=(const SimSource&) = delete;

  std::string_view name() const noexcept override { return name_; }

  SourceFormat prepare() override {
    config_.validate();
    format_ = sim_format(config_);
    geometry_ = resolve_geometry(config_.width, config_.height, config_.roi, config_.binning);
    pattern_ = std::make_unique<sim::Pattern>(sim::pattern_spec(config_));
    buffer_ = std::make_unique<sim::SimBuffer>(*pattern_, config_.buffer_frames);
    schedule_ = std::make_unique<sim::SensorSchedule>(
        sim::SensorTiming{config_.fps, config_.exposure_ms}, config_.faults);
    log(LogLevel::info,
        "%s: %ux%u %u-bit (roi %u,%u %ux%u, binning %ux%u), %s pattern, %s, SDK buffer %u "
        "frames (%zu bytes)",
        name_.c_str(), format_.width, format_.height, format_.bit_depth, geometry_.roi.x,
        geometry_.roi.y, geometry_.roi.width, geometry_.roi.height, geometry_.binning.x,
        geometry_.binning.y, std::string(to_string(config_.pattern)).c_str(),
        config_.fps > 0.0 ? "paced" : "free-running", config_.buffer_frames,
        sim_buffer_bytes(config_));
    return format_;
  }

  void start(const StartOptions& options) override {
    if (!buffer_) throw SourceError(name_ + ": start() before prepare()");
    stop();
    buffer_->reset();
    frame_count_ = options.frame_count.value_or(config_.frame_count);
    schedule_->restart(sim::Clock::now(), frame_count_);
    hw_end_.store(0, std::memory_order_relaxed);
    overruns_ = 0;
    sensor_ = std::thread([this] { run_sensor(); });
  }

  SourceStatus wait_frame(std::chrono::nanoseconds timeout,
                          PendingFrame& pending) noexcept override {
    return buffer_->wait_oldest(timeout, pending);
  }

  void read_frame(FrameData& frame) noexcept override {
    if (frame.capacity() < format_.frame_bytes) {
      log(LogLevel::error, "%s: frame buffer of %zu bytes cannot hold a %zu-byte frame",
          name_.c_str(), frame.capacity(), format_.frame_bytes);
      std::abort();  // the delivery loop sizes frames from prepare(): a broken invariant
    }
    buffer_->copy_oldest(frame.buffer.data());
    frame.actual_len = format_.frame_bytes;
    fill_metadata(frame);
    buffer_->release_oldest();
  }

  void skip_frame() noexcept override { buffer_->release_oldest(); }

  void stop() noexcept override {
    if (buffer_) buffer_->shutdown();
    if (sensor_.joinable()) sensor_.join();
  }

  HwNumbering hw_numbering() const noexcept override {
    return {0, hw_end_.load(std::memory_order_relaxed)};  // hw_frame_nr counts from 0
  }

  std::string error_message() const override {
    return buffer_ ? name_ + ": " + buffer_->end_message() : name_ + ": not prepared";
  }

 private:
  void fill_metadata(FrameData& frame) const noexcept {
    frame.exposure_ms = config_.exposure_ms;
    frame.roi_x = geometry_.roi.x;
    frame.roi_y = geometry_.roi.y;
    frame.temperature_c = config_.temperature_c;
    frame.binning = geometry_.binning;
  }

  void run_sensor() noexcept {
    char message[128];
    for (;;) {
      const sim::SensorSchedule::Step step = schedule_->next();
      switch (step.event) {
        case sim::SensorSchedule::Event::finished:
          // Frames skipped by a gap that runs past the end were the camera's too.
          hw_end_.store(static_cast<std::int64_t>(frame_count_), std::memory_order_relaxed);
          log_sensor_end("acquisition finished");
          buffer_->close(SourceStatus::finished, "acquisition finished");
          return;
        case sim::SensorSchedule::Event::sdk_error:
          std::snprintf(message, sizeof message,
                        "SDK error (injected) while reading out frame %llu",
                        static_cast<unsigned long long>(step.index));
          hw_end_.store(static_cast<std::int64_t>(step.index), std::memory_order_relaxed);
          log_sensor_end(message);
          buffer_->close(SourceStatus::failed, message);
          return;
        case sim::SensorSchedule::Event::disconnect:
          std::snprintf(message, sizeof message, "camera disconnected (injected) before frame %llu",
                        static_cast<unsigned long long>(step.index));
          hw_end_.store(static_cast<std::int64_t>(step.index), std::memory_order_relaxed);
          log_sensor_end(message);
          buffer_->close(SourceStatus::failed, message);
          return;
        case sim::SensorSchedule::Event::frame:
          break;
      }
      if (!buffer_->sleep_until(step.due)) return;
      sim::SimBuffer::Placement placement;
      const auto placed = schedule_->paced() ? buffer_->try_place(step.index, placement)
                                             : buffer_->place_wait(step.index, placement);
      if (placed == sim::SimBuffer::Place::stopping) return;
      // The camera exposed this frame: it is delivered, or counted lost (hw_numbering()).
      hw_end_.store(static_cast<std::int64_t>(step.index) + 1, std::memory_order_relaxed);
      // A full buffer at a paced camera: the frame is lost (overrun); its number never arrives.
      if (placed == sim::SimBuffer::Place::full) {
        ++overruns_;
        continue;
      }
      buffer_->write(placement);
      const auto read_out = sim::Clock::now();
      schedule_->exposed(read_out);
      buffer_->publish(placement, read_out);
    }
  }

  void log_sensor_end(const char* why) const noexcept {
    log(LogLevel::info,
        "%s: sensor stopped (%s) after %lld frames, %llu lost to SDK buffer overrun", name_.c_str(),
        why, static_cast<long long>(hw_end_.load(std::memory_order_relaxed)),
        static_cast<unsigned long long>(overruns_));
  }

  SimConfig config_;
  std::string name_;
  SourceFormat format_;
  Geometry geometry_;
  std::unique_ptr<sim::Pattern> pattern_;
  std::unique_ptr<sim::SimBuffer> buffer_;
  std::unique_ptr<sim::SensorSchedule> schedule_;
  std::thread sensor_;
  // One past the last hardware number the sensor exposed (sensor thread writes; read after
  // stop() joined it, or by tests at any time).
  std::atomic<std::int64_t> hw_end_{0};
  std::uint64_t overruns_ = 0;     // sensor thread only: frames lost to a full buffer
  std::uint64_t frame_count_ = 0;  // this acquisition's frames (start()); 0 = continuous
};

}  // namespace

std::unique_ptr<FrameSource> make_sim_source(SimConfig config) {
  return std::make_unique<SimSource>(std::move(config));
}

std::unique_ptr<FrameProducer> make_sim_camera(SimConfig config, DeliveryOptions options) {
  return std::make_unique<StreamingProducer>(make_sim_source(std::move(config)), options);
}

}  // namespace daq
