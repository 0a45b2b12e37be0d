// pvcam_source.hpp — PvcamSource, the PVCAM FrameSource (see daq/camera/pvcam_camera.hpp for
// the contract). Internal to daq_camera_pvcam.
//
// Threads: the delivery thread calls the FrameSource members; PVCAM's own thread runs the EOF
// and camera-removed callbacks, which only count and signal (mutex_ + eof_cv_).
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "daq/camera/pvcam_camera.hpp"
#include "daq/pool/page_memory.hpp"
#include "pvcam_sdk.hpp"

namespace daq::pvcam {

class PvcamSource final : public FrameSource {
 public:
  explicit PvcamSource(PvcamConfig config);
  ~PvcamSource() override;
  PvcamSource(const PvcamSource&) = delete;
  PvcamSource& operator=(const PvcamSource&) = delete;

  std::string_view name() const noexcept override { return name_; }
  SourceFormat prepare() override;
  using FrameSource::start;
  void start(const StartOptions& options) override;
  SourceStatus wait_frame(std::chrono::nanoseconds timeout,
                          PendingFrame& pending) noexcept override;
  void read_frame(FrameData& frame) noexcept override;
  void skip_frame() noexcept override;
  void stop() noexcept override;
  /// {1, one past the last FrameNr an EOF callback reported before stop()} (capped at
  /// the start's frame count + 1 for a finite acquisition); {-1, -1} while running or never
  /// started.
  HwNumbering hw_numbering() const noexcept override { return hw_span_; }
  std::string error_message() const override;

  /// The buffer plan of prepare().
  const BufferPlan& plan() const noexcept { return plan_; }

 private:
  static void PV_DECL on_eof(FRAME_INFO* info, void* context);
  static void PV_DECL on_removed(FRAME_INFO* info, void* context);

  void open_camera();
  void read_camera_limits();
  void choose_exposure();
  void setup_acquisition();
  double readout_ms() const;
  /// Takes the oldest frame from the SDK; false when none could be taken.
  bool take_oldest(PendingFrame& pending) noexcept;
  /// Records the SDK's last error as the failure text; returns SourceStatus::failed.
  SourceStatus fail(const char* call) noexcept;
  /// Records "the camera was removed" as the failure text; returns SourceStatus::failed.
  SourceStatus removed_failure() noexcept;
  void warn_sdk(const char* call) noexcept;
  void unlock_current() noexcept;

  PvcamConfig config_;
  std::string name_ = "pvcam";
  std::shared_ptr<PvcamLibrary> library_;
  int16 hcam_ = -1;
  bool callbacks_ = false;
  bool prepared_ = false;
  bool running_ = false;

  // Set by prepare().
  std::uint32_t sensor_width_ = 0;
  std::uint32_t sensor_height_ = 0;
  std::uint32_t bit_depth_ = 0;
  Geometry geometry_;
  rgn_type region_{};
  int16 exp_mode_ = TIMED_MODE;
  uns32 exposure_time_ = 0;  // in the exposure resolution chosen
  SourceFormat format_;
  BufferPlan plan_;
  PageMemory sdk_buffer_;
  uns32 sdk_bytes_ = 0;
  std::optional<double> temperature_c_;  // read at each start()
  std::int64_t frame_count_ = 0;         // this acquisition's frames (start()); 0: continuous

  // Shared with the callbacks.
  std::mutex mutex_;
  std::condition_variable eof_cv_;
  std::uint64_t eof_count_ = 0;    // EOF callbacks in this acquisition
  std::int64_t eof_frame_nr_ = 0;  // the highest FrameNr an EOF callback reported (0: none)
  bool removed_ = false;

  // Delivery thread only.
  std::uint64_t taken_ = 0;  // frames taken (or given up on) in this acquisition
  std::int64_t last_frame_nr_ = 0;
  const void* current_ = nullptr;  // the locked SDK frame between wait_frame and read/skip
  HwNumbering hw_span_;            // set by stop() for the acquisition it ended
  std::uint64_t sdk_warnings_ = 0;
  std::array<char, 512> failure_{};
};

}  // namespace daq::pvcam
