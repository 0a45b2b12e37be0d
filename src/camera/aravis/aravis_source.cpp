// AravisSource: the FrameSource over one Aravis camera and stream (see aravis_camera.hpp).
#include <arv.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <string>

#include "aravis_device.hpp"
#include "daq/camera/aravis_camera.hpp"
#include "daq/pool/log.hpp"
#include "frame_id_unwrapper.hpp"
#include "glib_ptr.hpp"
#include "stream_buffers.hpp"

namespace daq::camera {

using aravis_detail::CameraSettings;
using aravis_detail::ErrorSlot;
using aravis_detail::FrameIdUnwrapper;
using aravis_detail::GObjectPtr;
using aravis_detail::StreamBuffers;

namespace {

std::uint64_t steady_now_ns() noexcept {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace

class AravisSource::Impl {
 public:
  explicit Impl(AravisConfig config)
      : config_(std::move(config)),
        applied_(config_),
        name_("aravis:" + (config_.camera_id.empty() ? std::string("first") : config_.camera_id)) {
    config_.validate();
  }

  ~Impl() {
    std::lock_guard lock(camera_mutex_);
    close_locked();
  }

  std::string_view name() const noexcept { return name_; }
  const AravisConfig& applied() const noexcept { return applied_; }

  SourceFormat prepare() {
    std::lock_guard lock(camera_mutex_);
    close_locked();
    GObjectPtr<ArvCamera> camera = aravis_detail::open_camera(config_.camera_id);
    const CameraSettings settings = aravis_detail::configure_camera(camera.get(), config_);
    stream_ = std::make_unique<StreamBuffers>(camera.get(), settings, config_.buffer_mode,
                                              config_.stream_buffers, config_.camera_reserve);
    camera_ = std::move(camera);
    applied_ = settings.applied;
    format_ = settings.format;
    if (config_.camera_id.empty()) name_ = "aravis:" + settings.device_id;
    unwrap_ = FrameIdUnwrapper(settings.frame_id_period);
    control_lost_.store(false, std::memory_order_relaxed);
    control_lost_handler_ = g_signal_connect(arv_camera_get_device(camera_.get()), "control-lost",
                                             G_CALLBACK(&Impl::on_control_lost), this);
    log(LogLevel::info, "%s: %ux%u, %u bit, %zu bytes per frame, %u %s buffers", name_.c_str(),
        format_.width, format_.height, format_.bit_depth, format_.frame_bytes,
        config_.stream_buffers,
        config_.buffer_mode == AravisBufferMode::copy ? "copy" : "zero-copy");
    return format_;
  }

  void start(const StartOptions& options) {
    std::lock_guard lock(camera_mutex_);
    if (!stream_) throw SourceError("aravis: start() before prepare()");
    if (started_) return;
    stream_->drain();  // frames left over from the previous run
    unwrap_.reset();
    frames_since_start_ = 0;
    frame_count_ = options.frame_count.value_or(config_.frame_count);
    ErrorSlot error;
    arv_camera_start_acquisition(camera_.get(), error.out());
    if (error) {
      throw SourceError("aravis: " + name_ + ": cannot start acquisition: " + error.take());
    }
    started_ = true;
  }

  SourceStatus wait_frame(std::chrono::nanoseconds timeout, PendingFrame& pending) noexcept {
    if (!started_) return fail("wait_frame() called while not started");
    if (pending_ != nullptr) release_pending();  // the loop neither read nor skipped it
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (frame_count_ != 0 && frames_since_start_ >= frame_count_) {
      return SourceStatus::finished;
    }
    for (;;) {
      // acquire: pairs with the release store in on_control_lost.
      if (control_lost_.load(std::memory_order_acquire)) return fail_control_lost();
      stream_->refill();
      ArvBuffer* buffer = stream_->pop(deadline - std::chrono::steady_clock::now());
      if (buffer == nullptr) {
        return control_lost_.load(std::memory_order_acquire) ? fail_control_lost()
                                                             : SourceStatus::timeout;
      }
      if (accept(buffer)) {
        pending = pending_info_;
        return SourceStatus::frame_ready;
      }
      stream_->give_back(buffer);  // stale: a repeated or late frame id (see accept())
      if (std::chrono::steady_clock::now() >= deadline) return SourceStatus::timeout;
    }
  }

  void read_frame(FrameData& frame) noexcept {
    if (pending_ == nullptr) return;
    fill_metadata(frame);
    frame.actual_len = 0;  // a broken frame stays empty: the loop drops it as source_error
    if (!pending_broken_) {
      std::size_t size = 0;
      const void* data = arv_buffer_get_image_data(pending_, &size);
      const std::size_t bytes = std::min(format_.frame_bytes, frame.capacity());
      std::memcpy(frame.buffer.data(), data, bytes);
      frame.actual_len = bytes;
    }
    release_pending();
  }

  std::optional<LoanedFrame> lend_frame() noexcept {
    if (pending_ == nullptr || pending_broken_ ||
        config_.buffer_mode != AravisBufferMode::zero_copy) {
      return std::nullopt;
    }
    std::optional<LoanedFrame> loan = stream_->lend(pending_, format_.frame_bytes);
    if (!loan) {
      bump(counters_.lend_refused);
      return std::nullopt;
    }
    fill_metadata(**loan);
    pending_ = nullptr;  // the buffer returns to the camera with the loan (StreamBuffers::refill)
    bump(counters_.lent);
    return loan;
  }

  void skip_frame() noexcept {
    if (pending_ != nullptr) release_pending();
  }

  void stop() noexcept {
    std::lock_guard lock(camera_mutex_);
    stop_locked();
  }

  std::string error_message() const { return error_; }

  void software_trigger() {
    std::lock_guard lock(camera_mutex_);
    if (!started_) throw SourceError("aravis: software_trigger() while not started");
    ErrorSlot error;
    arv_camera_software_trigger(camera_.get(), error.out());
    if (error) throw SourceError("aravis: " + name_ + ": software trigger failed: " + error.take());
  }

  AravisStats stats() const {
    AravisStats s;
    {
      std::lock_guard lock(camera_mutex_);
      if (stream_) stream_->read_stats(s);
    }
    s.frames = counters_.frames.load(std::memory_order_relaxed);
    s.lost_hw_frames = counters_.lost_hw_frames.load(std::memory_order_relaxed);
    s.broken_timeout = counters_.broken_timeout.load(std::memory_order_relaxed);
    s.broken_missing_packets = counters_.broken_missing_packets.load(std::memory_order_relaxed);
    s.broken_size_mismatch = counters_.broken_size_mismatch.load(std::memory_order_relaxed);
    s.broken_other = counters_.broken_other.load(std::memory_order_relaxed);
    s.stale = counters_.stale.load(std::memory_order_relaxed);
    s.lent = counters_.lent.load(std::memory_order_relaxed);
    s.lend_refused = counters_.lend_refused.load(std::memory_order_relaxed);
    return s;
  }

 private:
  // Monotonic counters, written by the delivery thread only, read by stats() from any thread:
  // relaxed is enough, no other memory is published through them.
  struct Counters {
    std::atomic<std::uint64_t> frames{0}, lost_hw_frames{0}, broken_timeout{0},
        broken_missing_packets{0}, broken_size_mismatch{0}, broken_other{0}, stale{0}, lent{0},
        lend_refused{0};
  };
  // Statistics for display: a relaxed add is enough (no reader orders other data by them), and
  // at camera rates its cost is nothing, so the driver needs no single-writer trick of its own.
  static void bump(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) noexcept {
    counter.fetch_add(n, std::memory_order_relaxed);
  }

  static void on_control_lost(ArvDevice* /*device*/, gpointer self) {
    // release: the delivery thread that sees the flag also sees Aravis's state before it.
    static_cast<Impl*>(self)->control_lost_.store(true, std::memory_order_release);
  }

  // Classifies a filled buffer and makes it the pending frame; broken ones become frames the
  // loop drops as source_error. False for a stale buffer (an id not newer than the last one:
  // a repeat or a late completion, which Aravis produces when packets go missing): it never
  // reaches the loop, whose frame order and hardware-gap accounting it would break.
  bool accept(ArvBuffer* buffer) noexcept {
    const FrameIdUnwrapper::Result id = unwrap_.next(arv_buffer_get_frame_id(buffer));
    if (id.stale) {
      bump(counters_.stale);
      return false;
    }
    if (id.lost != 0) bump(counters_.lost_hw_frames, id.lost);
    pending_broken_ = true;
    switch (arv_buffer_get_status(buffer)) {
      case ARV_BUFFER_STATUS_SUCCESS:
        pending_broken_ = !matches_format(buffer);
        bump(pending_broken_ ? counters_.broken_size_mismatch : counters_.frames);
        break;
      case ARV_BUFFER_STATUS_TIMEOUT:
        bump(counters_.broken_timeout);
        break;
      case ARV_BUFFER_STATUS_MISSING_PACKETS:
        bump(counters_.broken_missing_packets);
        break;
      case ARV_BUFFER_STATUS_SIZE_MISMATCH:
        bump(counters_.broken_size_mismatch);
        break;
      default:
        bump(counters_.broken_other);
        break;
    }
    pending_ = buffer;
    pending_info_.hw_frame_nr = id.number;
    pending_info_.timestamp_ns = steady_now_ns();
    ++frames_since_start_;
    return true;
  }

  bool matches_format(ArvBuffer* buffer) const noexcept {
    std::size_t size = 0;
    return arv_buffer_get_image_data(buffer, &size) != nullptr && size >= format_.frame_bytes &&
           static_cast<std::uint32_t>(arv_buffer_get_image_width(buffer)) == format_.width &&
           static_cast<std::uint32_t>(arv_buffer_get_image_height(buffer)) == format_.height;
  }

  void fill_metadata(FrameMetadata& m) const noexcept {
    m.exposure_ms = applied_.exposure_us.value_or(0.0) / 1000.0;
    m.roi_x = applied_.roi ? applied_.roi->x : 0;
    m.roi_y = applied_.roi ? applied_.roi->y : 0;
    m.binning = applied_.binning;
    m.temperature_c.reset();
  }

  void release_pending() noexcept {
    stream_->give_back(pending_);
    pending_ = nullptr;
  }

  SourceStatus fail(const char* what) noexcept {
    try {
      error_ = "aravis: " + name_ + ": " + what;
    } catch (...) {
    }
    return SourceStatus::failed;
  }

  SourceStatus fail_control_lost() noexcept {
    return fail("lost the connection to the camera (it stopped answering; unplugged or crashed?)");
  }

  void stop_locked() noexcept {
    if (!started_) return;
    started_ = false;
    if (pending_ != nullptr) release_pending();
    // A camera that is gone would only make us wait for Aravis's retries.
    if (!control_lost_.load(std::memory_order_acquire)) {
      ErrorSlot error;
      arv_camera_stop_acquisition(camera_.get(), error.out());
      if (error) {
        log(LogLevel::warn, "%s: stopping acquisition failed: %s", name_.c_str(),
            error.take().c_str());
      }
    }
    stream_->drain();
  }

  void close_locked() noexcept {
    stop_locked();
    if (control_lost_handler_ != 0) {
      g_signal_handler_disconnect(arv_camera_get_device(camera_.get()), control_lost_handler_);
      control_lost_handler_ = 0;
    }
    stream_.reset();  // before the camera: the stream belongs to its device
    camera_.reset();
  }

  AravisConfig config_;
  AravisConfig applied_;
  std::string name_;
  SourceFormat format_;

  // Control side: prepare/start/stop/software_trigger and the stream's existence for stats().
  mutable std::mutex camera_mutex_;
  GObjectPtr<ArvCamera> camera_;
  std::unique_ptr<StreamBuffers> stream_;
  gulong control_lost_handler_ = 0;
  std::atomic<bool> control_lost_{false};
  bool started_ = false;

  // Delivery thread.
  FrameIdUnwrapper unwrap_{0};
  ArvBuffer* pending_ = nullptr;
  bool pending_broken_ = false;
  PendingFrame pending_info_;
  std::uint64_t frames_since_start_ = 0;
  std::uint64_t frame_count_ = 0;  // this acquisition's frames; 0: continuous
  std::string error_;
  Counters counters_;
};

AravisSource::AravisSource(AravisConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {}
AravisSource::~AravisSource() = default;

std::string_view AravisSource::name() const noexcept {
  return impl_->name();
}
SourceFormat AravisSource::prepare() {
  return impl_->prepare();
}
void AravisSource::start(const StartOptions& options) {
  impl_->start(options);
}
SourceStatus AravisSource::wait_frame(std::chrono::nanoseconds timeout,
                                      PendingFrame& pending) noexcept {
  return impl_->wait_frame(timeout, pending);
}
void AravisSource::read_frame(FrameData& frame) noexcept {
  impl_->read_frame(frame);
}
void AravisSource::skip_frame() noexcept {
  impl_->skip_frame();
}
void AravisSource::stop() noexcept {
  impl_->stop();
}
std::string AravisSource::error_message() const {
  return impl_->error_message();
}
std::optional<LoanedFrame> AravisSource::lend_frame() noexcept {
  return impl_->lend_frame();
}
void AravisSource::software_trigger() {
  impl_->software_trigger();
}
AravisStats AravisSource::stats() const {
  return impl_->stats();
}
const AravisConfig& AravisSource::applied_config() const noexcept {
  return impl_->applied();
}

std::unique_ptr<FrameSource> make_aravis_source(const AravisConfig& config) {
  return std::make_unique<AravisSource>(config);
}

}  // namespace daq::camera
