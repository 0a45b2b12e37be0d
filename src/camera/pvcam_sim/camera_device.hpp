// camera_device.hpp — one simulated PVCAM camera: parameters, set-up, the camera thread that
// writes frames into the caller's circular buffer, callbacks. Internal to pvcam-sim; the
// behaviour is documented in pvcam_sim.h.
//
// Thread-safety: every member may be called from any thread; state is guarded by one mutex,
// which is never held while a callback runs. stop() must not be called from a callback.
// Allocation: start() allocates the slot tables and the pattern; frames allocate nothing.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "master.h"
#include "options.hpp"
#include "pattern.hpp"
#include "pvcam.h"
#include "pvcam_sim.h"
#include "sensor_schedule.hpp"

namespace pvcam_sim {

class CameraDevice {
 public:
  CameraDevice(int16 handle, std::string name, const Settings& settings);
  ~CameraDevice();
  CameraDevice(const CameraDevice&) = delete;
  CameraDevice& operator=(const CameraDevice&) = delete;

  const std::string& name() const noexcept { return name_; }

  rs_bool get_param(uns32 id, int16 attribute, void* value);
  rs_bool set_param(uns32 id, const void* value);
  rs_bool register_callback(int32 event, void* callback, void* context);
  rs_bool deregister_callback(int32 event);
  rs_bool setup(const rgn_type& region, int16 exp_mode, uns32 exposure_time, uns32* exp_bytes,
                int16 buffer_mode);
  rs_bool start(void* buffer, uns32 size);
  rs_bool check_status(int16* status, uns32* bytes_arrived, uns32* buffer_cnt);
  rs_bool get_oldest(void** frame, FRAME_INFO* info);
  rs_bool unlock_oldest();
  rs_bool stop();
  /// Waits up to `timeout` until the current acquisition read out `frames` frames or ended;
  /// returns how many frames it read out (the last FrameNr read out, lost ones included).
  std::uint64_t wait_read_out(std::uint64_t frames, std::chrono::milliseconds timeout);

 private:
  using Callback = void (*)(FRAME_INFO*, void*);
  struct Registration {
    Callback fn = nullptr;
    void* context = nullptr;
  };
  enum class SlotState : std::uint8_t { free, writing, queued, locked };
  struct Slot {
    SlotState state = SlotState::free;
    FRAME_INFO info{};
  };
  struct SetUp {
    rgn_type region{};
    std::uint32_t width = 0;  // delivered (binned) image
    std::uint32_t height = 0;
    std::size_t frame_bytes = 0;
    double exposure_ms = 0.0;
    double readout_ms = 0.0;
    int16 buffer_mode = CIRC_NO_OVERWRITE;
  };

  void run_camera() noexcept;
  /// Picks the slot for the next frame (under mutex_); -1 when the frame must be lost.
  int claim_slot_locked() noexcept;
  void end_acquisition(int code, const char* why, std::uint64_t index) noexcept;
  double readout_ms(std::uint32_t rows) const noexcept;
  std::byte* slot_data(std::size_t slot) const noexcept;

  const int16 handle_;
  const std::string name_;
  const Settings model_;  // sensor, bit depth, timing, temperature (fixed at open)

  mutable std::mutex mutex_;
  std::condition_variable wakeup_;  // the camera thread sleeps on it until a frame is due
  int32 exp_res_ = EXP_RES_ONE_MILLISEC;
  int32 expose_out_ = EXPOSE_OUT_FIRST_ROW;
  Registration eof_;
  Registration removed_;
  bool set_up_ = false;
  SetUp setup_;

  // The running acquisition.
  bool running_ = false;
  bool stopping_ = false;
  std::thread thread_;
  std::unique_ptr<daq::sim::Pattern> pattern_;
  std::unique_ptr<daq::sim::SensorSchedule> schedule_;
  std::byte* buffer_ = nullptr;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> queue_;  // slot numbers of unread frames, oldest first (ring)
  std::size_t queue_head_ = 0;
  std::size_t queue_count_ = 0;
  std::vector<std::uint32_t> free_slots_;  // stack
  std::uint64_t frames_written_ = 0;
  // FrameNr of the last frame the sensor read out, whether it was stored, overwrote an unread
  // frame or was lost (0: none yet); kept after stop until the next start.
  std::uint64_t read_out_ = 0;
  bool camera_ended_ = true;  // no camera thread runs (read_out_ is final)
  std::condition_variable read_out_cv_;
  bool overrun_pending_ = false;
  int failure_ = PVCAM_SIM_ERR_NONE;  // READOUT_FAILED / CAMERA_REMOVED once the camera ended
  bool announcing_removal_ = false;   // the removal callback runs: check_status() waits for it
  char failure_text_[128] = "";
  std::chrono::steady_clock::time_point started_;
};

}  // namespace pvcam_sim
