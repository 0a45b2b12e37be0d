#include "pvcam_source.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <utility>

#include "daq/pool/log.hpp"

namespace daq::pvcam {
namespace {

/// Reads a parameter's current value when the camera has it.
template <class T>
bool read_param(int16 hcam, uns32 id, T& out, int16 attribute = ATTR_CURRENT) {
  rs_bool available = FALSE;
  if (pl_get_param(hcam, id, ATTR_AVAIL, &available) != PV_OK || available == FALSE) return false;
  return pl_get_param(hcam, id, attribute, &out) == PV_OK;
}

std::uint64_t steady_ns() noexcept {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace

PvcamSource::PvcamSource(PvcamConfig config) : config_(std::move(config)) {}

PvcamSource::~PvcamSource() {
  stop();
  if (hcam_ >= 0) {
    if (callbacks_) {
      pl_cam_deregister_callback(hcam_, PL_CALLBACK_EOF);
      pl_cam_deregister_callback(hcam_, PL_CALLBACK_CAM_REMOVED);
    }
    if (pl_cam_close(hcam_) != PV_OK) {
      log(LogLevel::warn, "%s", sdk_failure(name_, "pl_cam_close").c_str());
    }
  }
}

void PvcamSource::open_camera() {
  library_ = PvcamLibrary::acquire();
  std::string camera = config_.camera;
  if (camera.empty()) {
    int16 total = 0;
    if (pl_cam_get_total(&total) != PV_OK)
      throw SourceError(sdk_failure(name_, "pl_cam_get_total"));
    if (total <= 0) throw SourceError("pvcam: no camera found (pl_cam_get_total reports 0)");
    char first[CAM_NAME_LEN] = "";
    if (pl_cam_get_name(0, first) != PV_OK)
      throw SourceError(sdk_failure(name_, "pl_cam_get_name"));
    camera = first;
  }
  name_ = "pvcam:" + camera;
  if (camera.size() >= CAM_NAME_LEN) throw ConfigError("camera name '" + camera + "' is too long");
  char cam_name[CAM_NAME_LEN] = "";
  std::memcpy(cam_name, camera.c_str(), camera.size() + 1);
  if (pl_cam_open(cam_name, &hcam_, OPEN_EXCLUSIVE) != PV_OK) {
    hcam_ = -1;
    throw SourceError(sdk_failure(name_, "pl_cam_open(\"" + camera + "\")"));
  }
}

void PvcamSource::read_camera_limits() {
  uns16 width = 0;
  uns16 height = 0;
  int16 depth = 0;
  if (!read_param(hcam_, PARAM_SER_SIZE, width) || !read_param(hcam_, PARAM_PAR_SIZE, height)) {
    throw SourceError(sdk_failure(name_, "pl_get_param(PARAM_SER_SIZE/PARAM_PAR_SIZE)"));
  }
  if (!read_param(hcam_, PARAM_BIT_DEPTH, depth)) {
    throw SourceError(sdk_failure(name_, "pl_get_param(PARAM_BIT_DEPTH)"));
  }
  sensor_width_ = width;
  sensor_height_ = height;
  bit_depth_ = static_cast<std::uint32_t>(depth);
  geometry_ = resolve_geometry(sensor_width_, sensor_height_, config_.roi, config_.binning);
  if (config_.bit_depth != 0 && config_.bit_depth != bit_depth_) {
    throw ConfigError("bit_depth " + std::to_string(config_.bit_depth) + " is not supported by " +
                      name_ + " (it delivers " + std::to_string(bit_depth_) + "-bit frames)");
  }
  region_.s1 = static_cast<uns16>(geometry_.roi.x);
  region_.s2 = static_cast<uns16>(geometry_.roi.x + geometry_.roi.width - 1);
  region_.sbin = geometry_.binning.x;
  region_.p1 = static_cast<uns16>(geometry_.roi.y);
  region_.p2 = static_cast<uns16>(geometry_.roi.y + geometry_.roi.height - 1);
  region_.pbin = geometry_.binning.y;
}

void PvcamSource::choose_exposure() {
  // Microseconds when the camera offers them (exact for sub-millisecond exposures).
  int32 resolution = EXP_RES_ONE_MICROSEC;
  double unit_ms = 0.001;
  rs_bool has_res = FALSE;
  if (pl_get_param(hcam_, PARAM_EXP_RES, ATTR_AVAIL, &has_res) != PV_OK || has_res == FALSE ||
      pl_set_param(hcam_, PARAM_EXP_RES, &resolution) != PV_OK) {
    unit_ms = 1.0;  // the default resolution
  }
  const double units = std::round(config_.exposure_ms / unit_ms);
  if (units < 1 || units > std::numeric_limits<uns32>::max()) {
    throw ConfigError("exposure_ms " + std::to_string(config_.exposure_ms) +
                      " cannot be expressed in the camera's exposure resolution");
  }
  exposure_time_ = static_cast<uns32>(units);
  // Modern cameras need an extended mode (internal trigger OR-ed with an expose-out mode).
  rs_bool has_expose_out = FALSE;
  const bool extended =
      pl_get_param(hcam_, PARAM_EXPOSE_OUT_MODE, ATTR_AVAIL, &has_expose_out) == PV_OK &&
      has_expose_out != FALSE;
  exp_mode_ = static_cast<int16>(extended ? int{EXT_TRIG_INTERNAL} | int{EXPOSE_OUT_FIRST_ROW}
                                          : int{TIMED_MODE});
}

void PvcamSource::setup_acquisition() {
  uns32 bytes = 0;
  if (pl_exp_setup_cont(hcam_, 1, &region_, exp_mode_, exposure_time_, &bytes, CIRC_NO_OVERWRITE) !=
      PV_OK) {
    throw SourceError(sdk_failure(name_, "pl_exp_setup_cont"));
  }
  const std::size_t expected = frame_bytes(geometry_, bit_depth_);
  if (bytes != expected) {
    throw SourceError(name_ + ": the camera sends " + std::to_string(bytes) +
                      "-byte frames for a " + std::to_string(geometry_.width) + "x" +
                      std::to_string(geometry_.height) + " " + std::to_string(bit_depth_) +
                      "-bit image (expected " + std::to_string(expected) +
                      "): frame metadata or a packed pixel format is enabled, which daq does not "
                      "read");
  }
}

double PvcamSource::readout_ms() const {
  uns16 type = 0;
  flt64 readout = 0;
  if (read_param(hcam_, PARAM_READOUT_TIME, type, ATTR_TYPE) && type == TYPE_FLT64 &&
      read_param(hcam_, PARAM_READOUT_TIME, readout)) {
    return readout;
  }
  return 0.0;  // unknown: the exposure alone sets the frame rate
}

SourceFormat PvcamSource::prepare() {
  if (prepared_) return format_;
  config_.validate();
  if (hcam_ < 0) open_camera();  // a failed earlier prepare() may have opened it already
  read_camera_limits();
  const std::size_t bytes = frame_bytes(geometry_, bit_depth_);
  if (bytes > config_.memory_budget_bytes) {  // before touching the camera's set-up
    plan_buffers(0.0, bytes, config_.buffer_seconds, config_.memory_budget_bytes);
  }
  choose_exposure();
  // The EOF callback must be registered before pl_exp_setup_cont (PVCAM's documented order).
  if (!callbacks_) {
    if (pl_cam_register_callback_ex3(hcam_, PL_CALLBACK_EOF, reinterpret_cast<void*>(&on_eof),
                                     this) != PV_OK) {
      throw SourceError(sdk_failure(name_, "pl_cam_register_callback_ex3(PL_CALLBACK_EOF)"));
    }
    callbacks_ = true;
    if (pl_cam_register_callback_ex3(hcam_, PL_CALLBACK_CAM_REMOVED,
                                     reinterpret_cast<void*>(&on_removed), this) != PV_OK) {
      log(LogLevel::info, "%s: no camera-removed callback (%s)", name_.c_str(),
          sdk_failure(name_, "pl_cam_register_callback_ex3").c_str());
    }
  }
  setup_acquisition();
  const double readout = readout_ms();
  const double period_ms = std::max(config_.exposure_ms, readout);
  const double fps = 1000.0 / period_ms;
  plan_ = plan_buffers(fps, bytes, config_.buffer_seconds, config_.memory_budget_bytes);
  sdk_bytes_ = static_cast<uns32>(plan_.sdk_frames * bytes);
  sdk_buffer_ = PageMemory::allocate(sdk_bytes_);
  log(LogLevel::info,
      "%s: %ux%u %u-bit (roi %u,%u %ux%u, binning %ux%u of a %ux%u sensor), exposure %.3f ms, "
      "readout %.3f ms: %.1f frames/s. Buffers for %.2f s%s: SDK %u frames + pool %zu frames of "
      "%zu bytes = %zu of %zu budget bytes",
      name_.c_str(), geometry_.width, geometry_.height, bit_depth_, geometry_.roi.x,
      geometry_.roi.y, geometry_.roi.width, geometry_.roi.height, geometry_.binning.x,
      geometry_.binning.y, sensor_width_, sensor_height_, config_.exposure_ms, readout, fps,
      plan_.seconds, plan_.capped ? " (capped by memory_budget_bytes)" : "", plan_.sdk_frames,
      plan_.pool_frames, bytes, (plan_.sdk_frames + plan_.pool_frames) * bytes,
      config_.memory_budget_bytes);
  format_.width = geometry_.width;
  format_.height = geometry_.height;
  format_.bit_depth = bit_depth_;
  format_.frame_bytes = bytes;
  format_.frames_per_second = fps;
  format_.frame_count = config_.frame_count;
  format_.sensor_width = sensor_width_;
  format_.sensor_height = sensor_height_;
  prepared_ = true;
  return format_;
}

void PvcamSource::start(const StartOptions& options) {
  if (!prepared_) throw SourceError(name_ + ": start() before prepare()");
  stop();
  int16 hundredths = 0;
  temperature_c_.reset();
  if (read_param(hcam_, PARAM_TEMP, hundredths)) temperature_c_ = hundredths / 100.0;
  {
    std::lock_guard lock(mutex_);
    eof_count_ = 0;
    eof_frame_nr_ = 0;
    removed_ = false;
  }
  hw_span_ = {};
  frame_count_ = static_cast<std::int64_t>(options.frame_count.value_or(config_.frame_count));
  taken_ = 0;
  last_frame_nr_ = 0;
  current_ = nullptr;
  failure_[0] = '\0';
  setup_acquisition();
  if (pl_exp_start_cont(hcam_, sdk_buffer_.data(), sdk_bytes_) != PV_OK) {
    throw SourceError(sdk_failure(name_, "pl_exp_start_cont"));
  }
  running_ = true;
}

void PV_DECL PvcamSource::on_eof(FRAME_INFO* info, void* context) {
  auto* self = static_cast<PvcamSource*>(context);
  {
    std::lock_guard lock(self->mutex_);
    ++self->eof_count_;
    // FrameNr counts every frame the sensor read out, those that overwrote unread ones too.
    if (info != nullptr && info->FrameNr > self->eof_frame_nr_) {
      self->eof_frame_nr_ = info->FrameNr;
    }
  }
  self->eof_cv_.notify_one();
}

void PV_DECL PvcamSource::on_removed(FRAME_INFO* /*info*/, void* context) {
  auto* self = static_cast<PvcamSource*>(context);
  {
    std::lock_guard lock(self->mutex_);
    self->removed_ = true;
  }
  self->eof_cv_.notify_one();
}

SourceStatus PvcamSource::removed_failure() noexcept {
  std::snprintf(failure_.data(), failure_.size(), "%s: the camera was removed", name_.c_str());
  return SourceStatus::failed;
}

SourceStatus PvcamSource::fail(const char* call) noexcept {
  if (pl_error_code() == 0) {  // a status of READOUT_FAILED without an error code
    std::snprintf(failure_.data(), failure_.size(), "%s: %s reports READOUT_FAILED", name_.c_str(),
                  call);
  } else {
    sdk_failure(failure_.data(), failure_.size(), name_.c_str(), call);
  }
  return SourceStatus::failed;
}

void PvcamSource::warn_sdk(const char* call) noexcept {
  // The first 10, then every 100th: an overrun storm must not flood the log.
  ++sdk_warnings_;
  if (sdk_warnings_ > 10 && sdk_warnings_ % 100 != 0) return;
  char text[ERROR_MSG_LEN + 200];
  sdk_failure(text, sizeof text, name_.c_str(), call);
  log(LogLevel::warn, "%s; frames the camera overwrote show as a FrameNr gap (warning %llu)", text,
      static_cast<unsigned long long>(sdk_warnings_));
}

bool PvcamSource::take_oldest(PendingFrame& pending) noexcept {
  void* frame = nullptr;
  FRAME_INFO info{};
  if (pl_exp_get_oldest_frame_ex(hcam_, &frame, &info) != PV_OK) return false;
  ++taken_;
  current_ = frame;
  last_frame_nr_ = info.FrameNr;
  pending.hw_frame_nr = info.FrameNr;
  pending.timestamp_ns = steady_ns();
  return true;
}

SourceStatus PvcamSource::wait_frame(std::chrono::nanoseconds timeout,
                                     PendingFrame& pending) noexcept {
  if (frame_count_ != 0 && last_frame_nr_ >= frame_count_) return SourceStatus::finished;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::uint64_t signalled = 0;
    bool removed = false;
    {
      std::lock_guard lock(mutex_);
      signalled = eof_count_;
      removed = removed_;
    }
    if (signalled > taken_) {
      // A frame was signalled: take it. A failure here is the SDK reporting an overrun (or
      // frames it no longer has); retry once, then count those signals as spent.
      if (!take_oldest(pending)) {
        warn_sdk("pl_exp_get_oldest_frame_ex");
        if (!take_oldest(pending)) taken_ = signalled;
      }
      if (current_ != nullptr) {
        if (frame_count_ != 0 && last_frame_nr_ > frame_count_) {  // the last ones were lost
          unlock_current();
          return SourceStatus::finished;
        }
        return SourceStatus::frame_ready;
      }
    }
    if (removed) return removed_failure();
    int16 status = READOUT_NOT_ACTIVE;
    uns32 bytes = 0;
    uns32 wraps = 0;
    if (pl_exp_check_cont_status(hcam_, &status, &bytes, &wraps) != PV_OK ||
        status == READOUT_FAILED) {
      // The removal callback may have run since `removed` was read: then that is the cause.
      bool removed_since = false;
      {
        std::lock_guard lock(mutex_);
        removed_since = removed_;
      }
      return removed_since ? removed_failure() : fail("pl_exp_check_cont_status");
    }
    std::unique_lock lock(mutex_);
    if (!eof_cv_.wait_until(lock, deadline, [&] { return eof_count_ > taken_ || removed_; })) {
      return SourceStatus::timeout;
    }
  }
}

void PvcamSource::unlock_current() noexcept {
  current_ = nullptr;  // nothing reads the SDK frame after this point
  if (pl_exp_unlock_oldest_frame(hcam_) != PV_OK) warn_sdk("pl_exp_unlock_oldest_frame");
}

void PvcamSource::read_frame(FrameData& frame) noexcept {
  if (current_ == nullptr || frame.capacity() < format_.frame_bytes) {
    log(LogLevel::error, "%s: read_frame without a taken frame or with a %zu-byte buffer",
        name_.c_str(), frame.capacity());
    std::abort();  // the delivery loop broke the FrameSource protocol
  }
  std::memcpy(frame.buffer.data(), current_, format_.frame_bytes);
  frame.actual_len = format_.frame_bytes;
  frame.exposure_ms = config_.exposure_ms;
  frame.roi_x = geometry_.roi.x;
  frame.roi_y = geometry_.roi.y;
  frame.temperature_c = temperature_c_;
  frame.binning = geometry_.binning;
  unlock_current();
}

void PvcamSource::skip_frame() noexcept {
  if (current_ != nullptr) unlock_current();
}

void PvcamSource::stop() noexcept {
  if (!running_) return;
  running_ = false;
  current_ = nullptr;
  if (pl_exp_stop_cont(hcam_, CCS_HALT) != PV_OK) {
    char text[ERROR_MSG_LEN + 200];
    sdk_failure(text, sizeof text, name_.c_str(), "pl_exp_stop_cont");
    log(LogLevel::warn, "%s", text);
  }
  // The acquisition spanned FrameNr 1 (PVCAM numbers each acquisition from 1; hw_frame_nr is
  // FrameNr) up to the last frame an EOF callback reported: frames read out that the loop never
  // took (overwritten, or still in the buffer stop() discarded) are lost hardware frames. Frames
  // after the last EOF are unknown (not counted). A finite acquisition ends at frame_count_: the
  // frames the camera ran on for until stop() are not part of it.
  std::int64_t read_out = 0;
  {
    std::lock_guard lock(mutex_);
    read_out = eof_frame_nr_;
  }
  if (frame_count_ != 0) read_out = std::min(read_out, frame_count_);
  hw_span_ = {1, read_out + 1};
}

std::string PvcamSource::error_message() const {
  return std::string(failure_.data());
}

}  // namespace daq::pvcam

namespace daq {

std::vector<std::string> list_pvcam_cameras() {
  const auto library = pvcam::PvcamLibrary::acquire();
  int16 total = 0;
  if (pl_cam_get_total(&total) != PV_OK) {
    throw SourceError(pvcam::sdk_failure("pvcam", "pl_cam_get_total"));
  }
  std::vector<std::string> names;
  for (int16 i = 0; i < total; ++i) {
    char name[CAM_NAME_LEN] = "";
    if (pl_cam_get_name(i, name) != PV_OK) {
      throw SourceError(pvcam::sdk_failure("pvcam", "pl_cam_get_name"));
    }
    names.emplace_back(name);
  }
  return names;
}

std::unique_ptr<FrameSource> make_pvcam_source(PvcamConfig config) {
  return std::make_unique<pvcam::PvcamSource>(std::move(config));
}

std::unique_ptr<FrameProducer> make_pvcam_camera(PvcamConfig config, DeliveryOptions options) {
  const std::size_t pool_frames = config.pool_frames;
  auto source = std::make_unique<pvcam::PvcamSource>(std::move(config));
  source->prepare();
  options.pool_frames = pool_frames != 0 ? pool_frames : source->plan().pool_frames;
  return std::make_unique<StreamingProducer>(std::move(source), options);
}

}  // namespace daq
