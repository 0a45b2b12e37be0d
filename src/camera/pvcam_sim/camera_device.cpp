#include "camera_device.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <utility>

#include "daq/pool/frame_view.hpp"
#include "errors.hpp"

namespace pvcam_sim {
namespace {

struct ParamInfo {
  uns32 id;
  uns16 type;
  uns16 access;
};

constexpr ParamInfo kParams[] = {
    {PARAM_CHIP_NAME, TYPE_CHAR_PTR, ACC_READ_ONLY},
    {PARAM_SER_SIZE, TYPE_UNS16, ACC_READ_ONLY},
    {PARAM_PAR_SIZE, TYPE_UNS16, ACC_READ_ONLY},
    {PARAM_READOUT_TIME, TYPE_FLT64, ACC_READ_ONLY},
    {PARAM_BIT_DEPTH, TYPE_INT16, ACC_READ_ONLY},
    {PARAM_TEMP, TYPE_INT16, ACC_READ_ONLY},
    {PARAM_EXPOSURE_MODE, TYPE_ENUM, ACC_READ_ONLY},
    {PARAM_EXPOSE_OUT_MODE, TYPE_ENUM, ACC_READ_WRITE},
    {PARAM_EXP_RES, TYPE_ENUM, ACC_READ_WRITE},
    {PARAM_EXP_RES_INDEX, TYPE_UNS16, ACC_READ_WRITE},
    {PARAM_CIRC_BUFFER, TYPE_BOOLEAN, ACC_READ_ONLY},
    {PARAM_FRAME_BUFFER_SIZE, TYPE_UNS64, ACC_READ_ONLY},
};

const ParamInfo* find_param(uns32 id) noexcept {
  for (const ParamInfo& p : kParams) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

void store(uns16 type, double v, void* out) noexcept {
  switch (type) {
    case TYPE_INT16:
      *static_cast<int16*>(out) = static_cast<int16>(v);
      break;
    case TYPE_UNS16:
      *static_cast<uns16*>(out) = static_cast<uns16>(v);
      break;
    case TYPE_ENUM:
      *static_cast<int32*>(out) = static_cast<int32>(v);
      break;
    case TYPE_FLT64:
      *static_cast<flt64*>(out) = v;
      break;
    case TYPE_BOOLEAN:
      *static_cast<rs_bool*>(out) = v != 0 ? TRUE : FALSE;
      break;
    default:
      *static_cast<ulong64*>(out) = static_cast<ulong64>(v);
      break;
  }
}

double exposure_unit_ms(int32 exp_res) noexcept {
  return exp_res == EXP_RES_ONE_MICROSEC ? 0.001 : exp_res == EXP_RES_ONE_SEC ? 1000.0 : 1.0;
}

constexpr double kMaxBuffer = std::numeric_limits<uns32>::max();

}  // namespace

CameraDevice::CameraDevice(int16 handle, std::string name, const Settings& settings)
    : handle_(handle), name_(std::move(name)), model_(settings) {}

CameraDevice::~CameraDevice() {
  stop();
}

double CameraDevice::readout_ms(std::uint32_t rows) const noexcept {
  return rows * model_.row_time_us / 1000.0;
}

std::byte* CameraDevice::slot_data(std::size_t slot) const noexcept {
  return buffer_ + slot * setup_.frame_bytes;
}

rs_bool CameraDevice::get_param(uns32 id, int16 attribute, void* value) {
  if (value == nullptr) return fail(PVCAM_SIM_ERR_BAD_ARGUMENT, "pl_get_param: NULL value");
  std::lock_guard lock(mutex_);
  const ParamInfo* p = find_param(id);
  if (attribute == ATTR_AVAIL) {
    *static_cast<rs_bool*>(value) = p != nullptr ? TRUE : FALSE;
    return PV_OK;
  }
  if (p == nullptr) {
    return fail(PVCAM_SIM_ERR_PARAM_NOT_AVAILABLE, "parameter 0x%08x on %s", id, name_.c_str());
  }
  char chip[CCD_NAME_LEN];
  std::snprintf(chip, sizeof chip, "SIM%ux%u", model_.width, model_.height);
  switch (attribute) {
    case ATTR_TYPE:
      *static_cast<uns16*>(value) = p->type;
      return PV_OK;
    case ATTR_ACCESS:
      *static_cast<uns16*>(value) = p->access;
      return PV_OK;
    case ATTR_LIVE:
      *static_cast<rs_bool*>(value) = FALSE;
      return PV_OK;
    case ATTR_COUNT:
      *static_cast<uns32*>(value) =
          p->type == TYPE_CHAR_PTR ? static_cast<uns32>(std::strlen(chip) + 1) : 1;
      return PV_OK;
    case ATTR_CURRENT:
    case ATTR_DEFAULT:
    case ATTR_MIN:
    case ATTR_MAX:
    case ATTR_INCREMENT:
      break;
    default:
      return fail(PVCAM_SIM_ERR_BAD_ARGUMENT, "pl_get_param: attribute %d", attribute);
  }
  if (p->type == TYPE_CHAR_PTR) {
    std::memcpy(value, chip, std::strlen(chip) + 1);
    return PV_OK;
  }
  const bool current = attribute == ATTR_CURRENT;
  const bool low = attribute == ATTR_MIN;
  const bool high = attribute == ATTR_MAX;
  const bool step = attribute == ATTR_INCREMENT;
  double v = 0;
  switch (id) {
    case PARAM_SER_SIZE:
      v = step ? 0 : model_.width;
      break;
    case PARAM_PAR_SIZE:
      v = step ? 0 : model_.height;
      break;
    case PARAM_BIT_DEPTH:
      v = step ? 0 : model_.bit_depth;
      break;
    case PARAM_TEMP:
      v = step ? 0 : std::round(model_.temperature_c * 100.0);
      break;
    case PARAM_CIRC_BUFFER:
      v = step ? 0 : 1;
      break;
    case PARAM_READOUT_TIME:
      v = high ? readout_ms(model_.height)
          : low || step
              ? 0
              : readout_ms(set_up_ ? setup_.region.p2 - setup_.region.p1 + 1u : model_.height);
      break;
    case PARAM_EXPOSURE_MODE:
      v = low || step ? TIMED_MODE : EXT_TRIG_INTERNAL;
      break;
    case PARAM_EXPOSE_OUT_MODE:
      v = current ? expose_out_ : high ? EXPOSE_OUT_ROLLING_SHUTTER : step ? 1 : 0;
      break;
    case PARAM_EXP_RES:
    case PARAM_EXP_RES_INDEX:
      v = current ? exp_res_ : high ? EXP_RES_ONE_SEC : step ? 1 : 0;
      break;
    case PARAM_FRAME_BUFFER_SIZE: {
      if (!set_up_) {
        return fail(PVCAM_SIM_ERR_NOT_SET_UP, "PARAM_FRAME_BUFFER_SIZE needs pl_exp_setup_cont");
      }
      const double frame = static_cast<double>(setup_.frame_bytes);
      const double period_ms = std::max(setup_.exposure_ms, setup_.readout_ms);
      // Recommended: one second of frames (at least 2), within what a uns32 size can hold.
      const double frames = std::max(2.0, period_ms > 0 ? std::ceil(1000.0 / period_ms) : 2.0);
      const double most = std::floor(kMaxBuffer / frame) * frame;
      v = low || step ? frame : high ? most : std::min(frames * frame, most);
      break;
    }
    default:
      break;
  }
  store(p->type, v, value);
  return PV_OK;
}

rs_bool CameraDevice::set_param(uns32 id, const void* value) {
  if (value == nullptr) return fail(PVCAM_SIM_ERR_BAD_ARGUMENT, "pl_set_param: NULL value");
  std::lock_guard lock(mutex_);
  const ParamInfo* p = find_param(id);
  if (p == nullptr) {
    return fail(PVCAM_SIM_ERR_PARAM_NOT_AVAILABLE, "parameter 0x%08x on %s", id, name_.c_str());
  }
  if (p->access != ACC_READ_WRITE) {
    return fail(PVCAM_SIM_ERR_PARAM_READ_ONLY, "parameter 0x%08x", id);
  }
  if (running_) return fail(PVCAM_SIM_ERR_ACQUISITION_RUNNING, "pl_set_param 0x%08x", id);
  const int32 v =
      p->type == TYPE_UNS16 ? *static_cast<const uns16*>(value) : *static_cast<const int32*>(value);
  const int32 high =
      id == PARAM_EXPOSE_OUT_MODE ? int32{EXPOSE_OUT_ROLLING_SHUTTER} : int32{EXP_RES_ONE_SEC};
  if (v < 0 || v > high) {
    return fail(PVCAM_SIM_ERR_BAD_VALUE, "%d for parameter 0x%08x (0..%d)", v, id, high);
  }
  (id == PARAM_EXPOSE_OUT_MODE ? expose_out_ : exp_res_) = v;
  return PV_OK;
}

rs_bool CameraDevice::register_callback(int32 event, void* callback, void* context) {
  if (callback == nullptr) {
    return fail(PVCAM_SIM_ERR_BAD_ARGUMENT, "pl_cam_register_callback_ex3: NULL callback");
  }
  if (event != PL_CALLBACK_EOF && event != PL_CALLBACK_CAM_REMOVED) {
    return fail(PVCAM_SIM_ERR_BAD_ARGUMENT, "callback event %d is not simulated", event);
  }
  std::lock_guard lock(mutex_);
  (event == PL_CALLBACK_EOF ? eof_ : removed_) = {reinterpret_cast<Callback>(callback), context};
  return PV_OK;
}

rs_bool CameraDevice::deregister_callback(int32 event) {
  std::lock_guard lock(mutex_);
  if (event == PL_CALLBACK_EOF) {
    eof_ = {};
  } else if (event == PL_CALLBACK_CAM_REMOVED) {
    removed_ = {};
  } else {
    return fail(PVCAM_SIM_ERR_BAD_ARGUMENT, "callback event %d is not simulated", event);
  }
  return PV_OK;
}

rs_bool CameraDevice::setup(const rgn_type& r, int16 exp_mode, uns32 exposure_time,
                            uns32* exp_bytes, int16 buffer_mode) {
  std::lock_guard lock(mutex_);
  if (running_) return fail(PVCAM_SIM_ERR_ACQUISITION_RUNNING, "pl_exp_setup_cont");
  if (r.s1 > r.s2 || r.s2 >= model_.width || r.p1 > r.p2 || r.p2 >= model_.height) {
    return fail(PVCAM_SIM_ERR_BAD_REGION, "s1..s2 = %u..%u, p1..p2 = %u..%u on a %ux%u sensor",
                r.s1, r.s2, r.p1, r.p2, model_.width, model_.height);
  }
  const unsigned columns = r.s2 - r.s1 + 1u;
  const unsigned rows = r.p2 - r.p1 + 1u;
  if (r.sbin == 0 || r.pbin == 0 || columns % r.sbin != 0 || rows % r.pbin != 0) {
    return fail(PVCAM_SIM_ERR_BAD_REGION, "binning %ux%u does not divide the %ux%u region", r.sbin,
                r.pbin, columns, rows);
  }
  const int trigger = exp_mode & ~0xFF;
  if (exp_mode != TIMED_MODE &&
      (trigger != EXT_TRIG_INTERNAL || (exp_mode & 0xFF) > EXPOSE_OUT_ROLLING_SHUTTER)) {
    return fail(PVCAM_SIM_ERR_BAD_MODE, "exposure mode %d (only internal triggering is simulated)",
                exp_mode);
  }
  if (buffer_mode != CIRC_OVERWRITE && buffer_mode != CIRC_NO_OVERWRITE) {
    return fail(PVCAM_SIM_ERR_BAD_MODE, "buffer mode %d", buffer_mode);
  }
  SetUp s;
  s.region = r;
  s.width = columns / r.sbin;
  s.height = rows / r.pbin;
  s.frame_bytes = std::size_t{s.width} * s.height * daq::bytes_per_pixel(model_.bit_depth);
  s.exposure_ms = exposure_time * exposure_unit_ms(exp_res_);
  s.readout_ms = readout_ms(rows);
  s.buffer_mode = buffer_mode;
  if (static_cast<double>(s.frame_bytes) > kMaxBuffer) {
    return fail(PVCAM_SIM_ERR_BAD_REGION, "a frame of %zu bytes", s.frame_bytes);
  }
  setup_ = s;
  set_up_ = true;
  if (exp_bytes != nullptr) *exp_bytes = static_cast<uns32>(s.frame_bytes);
  return PV_OK;
}

rs_bool CameraDevice::start(void* buffer, uns32 size) {
  Settings stream;
  if (resolve_settings(stream) == PV_FAIL) return PV_FAIL;
  std::lock_guard lock(mutex_);
  if (!set_up_) return fail(PVCAM_SIM_ERR_NOT_SET_UP, "pl_exp_start_cont before pl_exp_setup_cont");
  if (running_) return fail(PVCAM_SIM_ERR_ACQUISITION_RUNNING, "pl_exp_start_cont");
  if (buffer == nullptr || size < setup_.frame_bytes || size % setup_.frame_bytes != 0) {
    return fail(PVCAM_SIM_ERR_BAD_BUFFER, "%u bytes is not a whole number of %zu-byte frames", size,
                setup_.frame_bytes);
  }
  const auto count = static_cast<std::uint32_t>(size / setup_.frame_bytes);
  buffer_ = static_cast<std::byte*>(buffer);
  slots_.assign(count, Slot{});
  queue_.assign(count, 0);
  free_slots_.clear();
  for (std::uint32_t i = count; i-- > 0;) free_slots_.push_back(i);  // slot 0 is used first
  queue_head_ = 0;
  queue_count_ = 0;
  frames_written_ = 0;
  read_out_ = 0;
  camera_ended_ = false;
  overrun_pending_ = false;
  failure_ = PVCAM_SIM_ERR_NONE;
  failure_text_[0] = '\0';
  pattern_ =
      std::make_unique<daq::sim::Pattern>(daq::sim::PatternSpec{.pattern = stream.pattern,
                                                                .width = setup_.width,
                                                                .height = setup_.height,
                                                                .bit_depth = model_.bit_depth,
                                                                .seed = stream.seed,
                                                                .cycle_frames = 8});
  const double period_ms = std::max(setup_.exposure_ms, setup_.readout_ms);
  schedule_ = std::make_unique<daq::sim::SensorSchedule>(
      daq::sim::SensorTiming{.fps = period_ms > 0 ? 1000.0 / period_ms : 0.0}, stream.faults);
  running_ = true;
  stopping_ = false;
  started_ = std::chrono::steady_clock::now();
  schedule_->restart(started_, 0);  // continuous: the SDK runs until stopped
  thread_ = std::thread([this] { run_camera(); });
  return PV_OK;
}

int CameraDevice::claim_slot_locked() noexcept {
  if (!free_slots_.empty()) {
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    slots_[slot].state = SlotState::writing;
    return static_cast<int>(slot);
  }
  // Every slot holds an unread frame: the oldest one that is not locked is replaced.
  const std::size_t n = queue_.size();
  if (setup_.buffer_mode == CIRC_NO_OVERWRITE) overrun_pending_ = true;
  if (slots_[queue_[queue_head_]].state == SlotState::locked) {
    if (queue_count_ < 2) return -1;  // the only unread frame is locked: the new one is lost
    // Swap the locked head with the next frame; popping the head then removes that frame and
    // leaves the locked one oldest.
    std::swap(queue_[queue_head_], queue_[(queue_head_ + 1) % n]);
  }
  const std::uint32_t slot = queue_[queue_head_];
  queue_head_ = (queue_head_ + 1) % n;
  --queue_count_;
  slots_[slot].state = SlotState::writing;
  return static_cast<int>(slot);
}

void CameraDevice::run_camera() noexcept {
  using Event = daq::sim::SensorSchedule::Event;
  for (;;) {
    const daq::sim::SensorSchedule::Step step = schedule_->next();
    if (step.event == Event::sdk_error) {
      end_acquisition(PVCAM_SIM_ERR_READOUT_FAILED, "readout failed (injected) before FrameNr",
                      step.index + 1);
      return;
    }
    if (step.event == Event::disconnect) {
      Registration removed;
      {
        std::lock_guard lock(mutex_);
        removed = removed_;
        announcing_removal_ = removed.fn != nullptr;
      }
      end_acquisition(PVCAM_SIM_ERR_CAMERA_REMOVED, "camera removed (injected) before FrameNr",
                      step.index + 1);
      FRAME_INFO info{};
      info.hCam = handle_;
      info.FrameNr = static_cast<int32>(step.index);
      if (removed.fn != nullptr) removed.fn(&info, removed.context);
      {
        std::lock_guard lock(mutex_);
        announcing_removal_ = false;
      }
      read_out_cv_.notify_all();
      return;
    }
    std::unique_lock lock(mutex_);
    if (wakeup_.wait_until(lock, step.due, [&] { return stopping_; })) {
      camera_ended_ = true;
      read_out_cv_.notify_all();
      return;
    }
    // The sensor read this frame out: FrameNr counts it whatever becomes of it below.
    read_out_ = step.index + 1;
    read_out_cv_.notify_all();
    const int slot = claim_slot_locked();
    if (slot < 0) continue;  // no slot at all (a 1-frame buffer, locked): lost without an EOF
    lock.unlock();
    pattern_->render(step.index, slot_data(static_cast<std::size_t>(slot)));
    const auto now = std::chrono::steady_clock::now();
    lock.lock();
    Slot& s = slots_[static_cast<std::size_t>(slot)];
    s.state = SlotState::queued;
    s.info = FRAME_INFO{};
    s.info.hCam = handle_;
    s.info.FrameNr = static_cast<int32>(step.index + 1);
    s.info.TimeStamp =  // microseconds since the acquisition started
        std::chrono::duration_cast<std::chrono::microseconds>(now - started_).count();
    s.info.TimeStampBOF = s.info.TimeStamp;
    s.info.ReadoutTime = static_cast<int32>(setup_.readout_ms * 1000.0);
    queue_[(queue_head_ + queue_count_) % queue_.size()] = static_cast<std::uint32_t>(slot);
    ++queue_count_;
    ++frames_written_;
    const Registration eof = eof_;
    FRAME_INFO info = s.info;
    lock.unlock();
    if (eof.fn != nullptr) eof.fn(&info, eof.context);
  }
}

void CameraDevice::end_acquisition(int code, const char* why, std::uint64_t index) noexcept {
  std::lock_guard lock(mutex_);
  camera_ended_ = true;
  read_out_cv_.notify_all();
  failure_ = code;
  std::snprintf(failure_text_, sizeof failure_text_, "%s %llu", why,
                static_cast<unsigned long long>(index));
}

rs_bool CameraDevice::check_status(int16* status, uns32* bytes_arrived, uns32* buffer_cnt) {
  if (status == nullptr) return fail(PVCAM_SIM_ERR_BAD_ARGUMENT, "NULL status");
  std::unique_lock lock(mutex_);
  // A removal fails the status only once its callback has run (the camera thread, which runs
  // it, does not wait for itself): whoever finds the status failed also finds the removal
  // announced, and both orders of observing them agree.
  read_out_cv_.wait(lock, [&] {
    return !announcing_removal_ || std::this_thread::get_id() == thread_.get_id();
  });
  if (!running_) {
    *status = READOUT_NOT_ACTIVE;
    return PV_OK;
  }
  const std::size_t n = slots_.size();
  if (bytes_arrived != nullptr) {
    *bytes_arrived = static_cast<uns32>((frames_written_ % n) * setup_.frame_bytes);
  }
  if (buffer_cnt != nullptr) *buffer_cnt = static_cast<uns32>(frames_written_ / n);
  if (failure_ != PVCAM_SIM_ERR_NONE) {
    *status = READOUT_FAILED;
    return fail(failure_, "%s", failure_text_);
  }
  *status = queue_count_ != 0 ? FRAME_AVAILABLE : EXPOSURE_IN_PROGRESS;
  return PV_OK;
}

rs_bool CameraDevice::get_oldest(void** frame, FRAME_INFO* info) {
  if (frame == nullptr) return fail(PVCAM_SIM_ERR_BAD_ARGUMENT, "NULL frame pointer");
  std::lock_guard lock(mutex_);
  if (!running_) return fail(PVCAM_SIM_ERR_NOT_RUNNING, "pl_exp_get_oldest_frame_ex");
  if (overrun_pending_) {
    overrun_pending_ = false;
    return fail(PVCAM_SIM_ERR_BUFFER_OVERRUN, "the host did not keep up with the camera");
  }
  if (queue_count_ == 0) {
    if (failure_ != PVCAM_SIM_ERR_NONE) return fail(failure_, "%s", failure_text_);
    return fail(PVCAM_SIM_ERR_NO_FRAME, "the buffer holds no unread frame");
  }
  const std::uint32_t slot = queue_[queue_head_];
  slots_[slot].state = SlotState::locked;
  *frame = slot_data(slot);
  if (info != nullptr) *info = slots_[slot].info;
  return PV_OK;
}

rs_bool CameraDevice::unlock_oldest() {
  std::lock_guard lock(mutex_);
  if (!running_ || queue_count_ == 0 || slots_[queue_[queue_head_]].state != SlotState::locked) {
    return fail(PVCAM_SIM_ERR_NOT_LOCKED, "pl_exp_unlock_oldest_frame");
  }
  const std::uint32_t slot = queue_[queue_head_];
  slots_[slot].state = SlotState::free;
  free_slots_.push_back(slot);
  queue_head_ = (queue_head_ + 1) % queue_.size();
  --queue_count_;
  return PV_OK;
}

rs_bool CameraDevice::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!running_) return PV_OK;
    if (thread_.get_id() == std::this_thread::get_id()) {
      return fail(PVCAM_SIM_ERR_BAD_ARGUMENT, "pl_exp_stop_cont from inside a callback");
    }
    stopping_ = true;
  }
  wakeup_.notify_all();
  thread_.join();
  std::lock_guard lock(mutex_);
  running_ = false;
  stopping_ = false;
  buffer_ = nullptr;
  queue_count_ = 0;
  free_slots_.clear();
  pattern_.reset();
  schedule_.reset();
  return PV_OK;
}

std::uint64_t CameraDevice::wait_read_out(std::uint64_t frames,
                                          std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  read_out_cv_.wait_for(lock, timeout, [&] { return read_out_ >= frames || camera_ended_; });
  return read_out_;
}

}  // namespace pvcam_sim
