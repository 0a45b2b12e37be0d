// pvcam-sim through its C API, as a PVCAM application uses it: the library and camera life
// cycle, parameters, set-up checks, frames in the caller's buffer with EOF callbacks from the
// camera thread, CIRC_NO_OVERWRITE overruns, faults and options.
#include "pvcam_sim.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daq/pool/frame_view.hpp"
#include "pvcam.h"
#include "ramp_check.hpp"
#include "watchdog.hpp"

namespace {

using namespace std::chrono_literals;

std::string last_message() {
  char text[ERROR_MSG_LEN] = "";
  pl_error_message(pl_error_code(), text);
  return text;
}

/// Counts EOF (and camera-removed) callbacks and remembers the thread they came from.
struct Callbacks {
  std::mutex mutex;
  std::condition_variable cv;
  int eofs = 0;
  int removed = 0;
  std::vector<int32> frame_numbers;
  std::thread::id thread;

  static void PV_DECL on_eof(FRAME_INFO* info, void* context) {
    auto* self = static_cast<Callbacks*>(context);
    {
      std::lock_guard lock(self->mutex);
      ++self->eofs;
      self->frame_numbers.push_back(info->FrameNr);
      self->thread = std::this_thread::get_id();
    }
    self->cv.notify_all();
  }
  static void PV_DECL on_removed(FRAME_INFO*, void* context) {
    auto* self = static_cast<Callbacks*>(context);
    {
      std::lock_guard lock(self->mutex);
      ++self->removed;
    }
    self->cv.notify_all();
  }
  bool wait_eofs(int n) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, 20s, [&] { return eofs >= n; });
  }
  bool wait_removed() {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, 20s, [&] { return removed > 0; });
  }
};

class PvcamSim : public ::testing::Test {
 protected:
  void SetUp() override {
    pvcam_sim_reset_options();
    ASSERT_EQ(pvcam_sim_set_option("sensor", "320x200"), PV_OK);
  }
  void TearDown() override {
    if (open_) pl_cam_close(hcam_);
    if (initialized_) pl_pvcam_uninit();
    pvcam_sim_reset_options();
  }
  void init_and_open() {
    ASSERT_EQ(pl_pvcam_init(), PV_OK) << last_message();
    initialized_ = true;
    char name[CAM_NAME_LEN] = "PMSimCam0";
    ASSERT_EQ(pl_cam_open(name, &hcam_, OPEN_EXCLUSIVE), PV_OK) << last_message();
    open_ = true;
  }
  /// Sets up a 32x16 region at (8, 4), exposure `ms` milliseconds; returns the frame size.
  uns32 setup(int16 buffer_mode = CIRC_NO_OVERWRITE, uns32 ms = 1) {
    const rgn_type region{8, 39, 1, 4, 19, 1};
    uns32 bytes = 0;
    EXPECT_EQ(pl_exp_setup_cont(hcam_, 1, &region, TIMED_MODE, ms, &bytes, buffer_mode), PV_OK)
        << last_message();
    return bytes;
  }
  /// Takes, checks and unlocks the oldest frame; returns its FrameNr (0 when none).
  int32 take(uns32 bytes) {
    void* frame = nullptr;
    FRAME_INFO info{};
    if (pl_exp_get_oldest_frame_ex(hcam_, &frame, &info) != PV_OK) return 0;
    EXPECT_GE(static_cast<std::byte*>(frame), buffer_.data());
    EXPECT_LE(static_cast<std::byte*>(frame) + bytes, buffer_.data() + buffer_.size());
    check_ramp(frame, info.FrameNr);
    EXPECT_EQ(pl_exp_unlock_oldest_frame(hcam_), PV_OK) << last_message();
    return info.FrameNr;
  }
  void check_ramp(const void* frame, int32 frame_nr) {
    daq::FrameMetadata m;
    m.width = 32;
    m.height = 16;
    m.bit_depth = 16;
    m.hw_frame_nr = frame_nr;
    const daq::FrameView view({static_cast<const std::byte*>(frame), 32 * 16 * 2}, m);
    const auto bad = daq::conformance::ramp_mismatch(view, 1);
    EXPECT_FALSE(bad) << *bad;
  }

  int16 hcam_ = -1;
  bool initialized_ = false;
  bool open_ = false;
  std::vector<std::byte> buffer_;
  Callbacks callbacks_;
};

TEST_F(PvcamSim, LibraryLifeCycleAndCameraList) {
  int16 total = 0;
  EXPECT_EQ(pl_cam_get_total(&total), PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_NOT_INITIALIZED);
  ASSERT_EQ(pvcam_sim_set_option("cameras", "3"), PV_OK);
  ASSERT_EQ(pl_pvcam_init(), PV_OK);
  initialized_ = true;
  EXPECT_EQ(pl_pvcam_init(), PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_ALREADY_INITIALIZED);
  ASSERT_EQ(pl_cam_get_total(&total), PV_OK);
  EXPECT_EQ(total, 3);
  char name[CAM_NAME_LEN] = "";
  ASSERT_EQ(pl_cam_get_name(2, name), PV_OK);
  EXPECT_STREQ(name, "PMSimCam2");
  EXPECT_EQ(pl_cam_get_name(3, name), PV_FAIL);
  EXPECT_EQ(last_message(), "no such camera: camera number 3 of 3");
  char unknown[CAM_NAME_LEN] = "Nope";
  EXPECT_EQ(pl_cam_open(unknown, &hcam_, OPEN_EXCLUSIVE), PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_NO_SUCH_CAMERA);
  EXPECT_EQ(pl_pvcam_uninit(), PV_OK);
  initialized_ = false;
  EXPECT_EQ(pl_pvcam_uninit(), PV_FAIL);
  uns16 version = 0;
  EXPECT_EQ(pl_pvcam_get_ver(&version), PV_OK);
  EXPECT_EQ(version, 0x0310);
}

TEST_F(PvcamSim, ParametersDescribeTheSimulatedCamera) {
  ASSERT_EQ(pvcam_sim_set_option("bit_depth", "12"), PV_OK);
  ASSERT_EQ(pvcam_sim_set_option("temperature_c", "-15.5"), PV_OK);
  init_and_open();
  uns16 width = 0, height = 0, type = 0, access = 0;
  int16 depth = 0, temperature = 0;
  rs_bool available = TRUE;
  EXPECT_EQ(pl_get_param(hcam_, PARAM_SER_SIZE, ATTR_CURRENT, &width), PV_OK);
  EXPECT_EQ(pl_get_param(hcam_, PARAM_PAR_SIZE, ATTR_CURRENT, &height), PV_OK);
  EXPECT_EQ(pl_get_param(hcam_, PARAM_BIT_DEPTH, ATTR_CURRENT, &depth), PV_OK);
  EXPECT_EQ(pl_get_param(hcam_, PARAM_TEMP, ATTR_CURRENT, &temperature), PV_OK);
  EXPECT_EQ(pl_get_param(hcam_, PARAM_READOUT_TIME, ATTR_TYPE, &type), PV_OK);
  EXPECT_EQ(pl_get_param(hcam_, PARAM_SER_SIZE, ATTR_ACCESS, &access), PV_OK);
  EXPECT_EQ(width, 320);
  EXPECT_EQ(height, 200);
  EXPECT_EQ(depth, 12);
  EXPECT_EQ(temperature, -1550);
  EXPECT_EQ(type, TYPE_FLT64);
  EXPECT_EQ(access, ACC_READ_ONLY);
  flt64 readout = 0;
  EXPECT_EQ(pl_get_param(hcam_, PARAM_READOUT_TIME, ATTR_CURRENT, &readout), PV_OK);
  EXPECT_DOUBLE_EQ(readout, 1.0);  // 200 rows x 5 us
  char chip[CCD_NAME_LEN] = "";
  EXPECT_EQ(pl_get_param(hcam_, PARAM_CHIP_NAME, ATTR_CURRENT, chip), PV_OK);
  EXPECT_STREQ(chip, "SIM320x200");
  EXPECT_EQ(pl_get_param(hcam_, 0x12345, ATTR_AVAIL, &available), PV_OK);
  EXPECT_EQ(available, FALSE);
  EXPECT_EQ(pl_get_param(hcam_, 0x12345, ATTR_CURRENT, &width), PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_PARAM_NOT_AVAILABLE);
  EXPECT_EQ(pl_set_param(hcam_, PARAM_SER_SIZE, &width), PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_PARAM_READ_ONLY);
  int32 resolution = EXP_RES_ONE_MICROSEC;
  EXPECT_EQ(pl_set_param(hcam_, PARAM_EXP_RES, &resolution), PV_OK);
  resolution = 7;
  EXPECT_EQ(pl_set_param(hcam_, PARAM_EXP_RES, &resolution), PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_BAD_VALUE);
  ulong64 recommended = 0;
  EXPECT_EQ(pl_get_param(hcam_, PARAM_FRAME_BUFFER_SIZE, ATTR_DEFAULT, &recommended), PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_NOT_SET_UP);
  char name[CAM_NAME_LEN] = "PMSimCam0";
  int16 second = -1;
  EXPECT_EQ(pl_cam_open(name, &second, OPEN_EXCLUSIVE), PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_CAMERA_BUSY);
  EXPECT_EQ(pl_get_param(7, PARAM_SER_SIZE, ATTR_CURRENT, &width), PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_BAD_HANDLE);
}

TEST_F(PvcamSim, SetupChecksRegionModesAndBuffer) {
  init_and_open();
  uns32 bytes = 0;
  const rgn_type outside{300, 330, 1, 0, 9, 1};
  EXPECT_EQ(pl_exp_setup_cont(hcam_, 1, &outside, TIMED_MODE, 1, &bytes, CIRC_NO_OVERWRITE),
            PV_FAIL);
  EXPECT_EQ(last_message(),
            "invalid acquisition region: s1..s2 = 300..330, p1..p2 = 0..9 on a 320x200 sensor");
  const rgn_type odd{0, 9, 4, 0, 9, 1};
  EXPECT_EQ(pl_exp_setup_cont(hcam_, 1, &odd, TIMED_MODE, 1, &bytes, CIRC_NO_OVERWRITE), PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_BAD_REGION);
  const rgn_type binned{0, 63, 2, 0, 31, 4};
  EXPECT_EQ(
      pl_exp_setup_cont(hcam_, 1, &binned, EXT_TRIG_EDGE_RISING, 1, &bytes, CIRC_NO_OVERWRITE),
      PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_BAD_MODE);
  EXPECT_EQ(pl_exp_setup_cont(hcam_, 1, &binned, TIMED_MODE, 1, &bytes, CIRC_NONE), PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_BAD_MODE);
  std::vector<std::byte> buffer(4096);
  EXPECT_EQ(pl_exp_start_cont(hcam_, buffer.data(), 4096), PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_NOT_SET_UP);
  ASSERT_EQ(pl_exp_setup_cont(hcam_, 1, &binned,
                              static_cast<int16>(int{EXT_TRIG_INTERNAL} | int{EXPOSE_OUT_ANY_ROW}),
                              1, &bytes, CIRC_NO_OVERWRITE),
            PV_OK)
      << last_message();
  EXPECT_EQ(bytes, 32u * 8u * 2u);
  EXPECT_EQ(pl_exp_start_cont(hcam_, buffer.data(), 1000), PV_FAIL);
  EXPECT_EQ(last_message(),
            "invalid frame buffer: 1000 bytes is not a whole number of 512-byte "
            "frames");
  ulong64 recommended = 0;
  EXPECT_EQ(pl_get_param(hcam_, PARAM_FRAME_BUFFER_SIZE, ATTR_DEFAULT, &recommended), PV_OK);
  EXPECT_EQ(recommended, 1000u * 512u);  // one second at the 1 ms exposure
}

TEST_F(PvcamSim, FramesLandInTheCallersBufferWithEofCallbacksFromTheCameraThread) {
  daq::test::Watchdog watchdog(60s);
  init_and_open();
  ASSERT_EQ(pl_cam_register_callback_ex3(hcam_, PL_CALLBACK_EOF,
                                         reinterpret_cast<void*>(&Callbacks::on_eof), &callbacks_),
            PV_OK);
  const uns32 bytes = setup();
  ASSERT_EQ(bytes, 32u * 16u * 2u);
  buffer_.resize(bytes * 512);  // half a second: a descheduled test thread does not overrun
  ASSERT_EQ(pl_exp_start_cont(hcam_, buffer_.data(), static_cast<uns32>(buffer_.size())), PV_OK);
  std::vector<int32> taken;
  while (taken.size() < 20) {
    ASSERT_TRUE(callbacks_.wait_eofs(static_cast<int>(taken.size()) + 1));
    if (const int32 nr = take(bytes)) taken.push_back(nr);
  }
  // A frame stays the oldest until it is unlocked.
  void* a = nullptr;
  void* b = nullptr;
  FRAME_INFO ia{}, ib{};
  ASSERT_TRUE(callbacks_.wait_eofs(21));
  ASSERT_EQ(pl_exp_get_oldest_frame_ex(hcam_, &a, &ia), PV_OK);
  ASSERT_EQ(pl_exp_get_oldest_frame_ex(hcam_, &b, &ib), PV_OK);
  EXPECT_EQ(a, b);
  EXPECT_EQ(ia.FrameNr, ib.FrameNr);
  EXPECT_EQ(pl_exp_unlock_oldest_frame(hcam_), PV_OK);
  EXPECT_EQ(pl_exp_stop_cont(hcam_, CCS_HALT), PV_OK);
  EXPECT_EQ(pl_exp_get_oldest_frame_ex(hcam_, &a, &ia), PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_NOT_RUNNING);
  // Driven at the camera's pace, nothing is lost: FrameNr 1, 2, 3, ...
  for (std::size_t i = 0; i < taken.size(); ++i) EXPECT_EQ(taken[i], static_cast<int32>(i + 1));
  std::lock_guard lock(callbacks_.mutex);
  EXPECT_NE(callbacks_.thread, std::this_thread::get_id());
  EXPECT_EQ(callbacks_.frame_numbers.front(), 1);
}

TEST_F(PvcamSim, NoOverwriteOverrunKeepsTheLockedFrameFailsOnceAndShowsTheGap) {
  daq::test::Watchdog watchdog(60s);
  init_and_open();
  ASSERT_EQ(pl_cam_register_callback_ex3(hcam_, PL_CALLBACK_EOF,
                                         reinterpret_cast<void*>(&Callbacks::on_eof), &callbacks_),
            PV_OK);
  const uns32 bytes = setup();
  buffer_.resize(bytes * 3);
  ASSERT_EQ(pl_exp_start_cont(hcam_, buffer_.data(), static_cast<uns32>(buffer_.size())), PV_OK);
  // Lock the oldest frame (a thread slower than 3 frames already meets an overrun here).
  void* locked = nullptr;
  FRAME_INFO info{};
  int32 locked_nr = 0;
  while (locked_nr == 0) {
    ASSERT_TRUE(callbacks_.wait_eofs(1));
    if (pl_exp_get_oldest_frame_ex(hcam_, &locked, &info) == PV_OK) {
      locked_nr = info.FrameNr;
    } else {
      ASSERT_EQ(pl_error_code(), PVCAM_SIM_ERR_BUFFER_OVERRUN) << last_message();
    }
  }
  ASSERT_TRUE(callbacks_.wait_eofs(locked_nr + 11));  // 11 more frames into 3 slots
  check_ramp(locked, locked_nr);                      // never overwritten while locked
  ASSERT_EQ(pl_exp_unlock_oldest_frame(hcam_), PV_OK);
  void* frame = nullptr;
  EXPECT_EQ(pl_exp_get_oldest_frame_ex(hcam_, &frame, &info), PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_BUFFER_OVERRUN);
  const int32 next = take(bytes);
  EXPECT_GE(next, locked_nr + 9) << "only the newest frames survive";
  EXPECT_EQ(pl_exp_stop_cont(hcam_, CCS_HALT), PV_OK);
}

TEST_F(PvcamSim, OverwriteModeReplacesSilently) {
  daq::test::Watchdog watchdog(60s);
  init_and_open();
  ASSERT_EQ(pl_cam_register_callback_ex3(hcam_, PL_CALLBACK_EOF,
                                         reinterpret_cast<void*>(&Callbacks::on_eof), &callbacks_),
            PV_OK);
  const uns32 bytes = setup(CIRC_OVERWRITE);
  buffer_.resize(bytes * 2);
  ASSERT_EQ(pl_exp_start_cont(hcam_, buffer_.data(), static_cast<uns32>(buffer_.size())), PV_OK);
  ASSERT_TRUE(callbacks_.wait_eofs(8));
  EXPECT_GE(take(bytes), 7);
}

TEST_F(PvcamSim, InjectedFaultsShapeTheStream) {
  daq::test::Watchdog watchdog(60s);
  ASSERT_EQ(pvcam_sim_set_option("faults", "gap@2:3,sdk_error@8"), PV_OK);
  init_and_open();
  ASSERT_EQ(pl_cam_register_callback_ex3(hcam_, PL_CALLBACK_EOF,
                                         reinterpret_cast<void*>(&Callbacks::on_eof), &callbacks_),
            PV_OK);
  const uns32 bytes = setup();
  buffer_.resize(bytes * 16);
  ASSERT_EQ(pl_exp_start_cont(hcam_, buffer_.data(), static_cast<uns32>(buffer_.size())), PV_OK);
  ASSERT_TRUE(callbacks_.wait_eofs(5));  // frames 0, 1, 5, 6, 7 of the sensor
  int16 status = 0;
  // The camera ends before sensor frame 8 (FrameNr 9): wait for that, polling like a driver.
  while (pl_exp_check_cont_status(hcam_, &status, nullptr, nullptr) == PV_OK) {
    std::this_thread::yield();
  }
  // The buffered frames still come out, then the failure.
  std::vector<int32> taken;
  while (const int32 nr = take(bytes)) taken.push_back(nr);
  EXPECT_EQ(taken, (std::vector<int32>{1, 2, 6, 7, 8}));
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_READOUT_FAILED);
  EXPECT_EQ(pl_exp_check_cont_status(hcam_, &status, nullptr, nullptr), PV_FAIL);
  EXPECT_EQ(status, READOUT_FAILED);
  EXPECT_EQ(last_message(), "readout failed: readout failed (injected) before FrameNr 9");
}

TEST_F(PvcamSim, DisconnectRunsTheCameraRemovedCallback) {
  daq::test::Watchdog watchdog(60s);
  ASSERT_EQ(pvcam_sim_set_option("faults", "disconnect@2"), PV_OK);
  init_and_open();
  ASSERT_EQ(
      pl_cam_register_callback_ex3(hcam_, PL_CALLBACK_CAM_REMOVED,
                                   reinterpret_cast<void*>(&Callbacks::on_removed), &callbacks_),
      PV_OK);
  const uns32 bytes = setup();
  buffer_.resize(bytes * 4);
  ASSERT_EQ(pl_exp_start_cont(hcam_, buffer_.data(), static_cast<uns32>(buffer_.size())), PV_OK);
  ASSERT_TRUE(callbacks_.wait_removed());
  int16 status = 0;
  EXPECT_EQ(pl_exp_check_cont_status(hcam_, &status, nullptr, nullptr), PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_CAMERA_REMOVED);
  EXPECT_EQ(take(bytes), 1);
  EXPECT_EQ(take(bytes), 2);
  EXPECT_EQ(take(bytes), 0);
}

TEST_F(PvcamSim, OptionsComeFromTheApiOrTheEnvironment) {
  EXPECT_EQ(pvcam_sim_set_option("sensor", "0x5"), PV_FAIL);
  EXPECT_EQ(last_message(),
            "invalid pvcam-sim option: sensor = '0x5': WIDTHxHEIGHT, each 1..65535");
  EXPECT_EQ(pvcam_sim_set_option("colour", "red"), PV_FAIL);
  EXPECT_EQ(pl_error_code(), PVCAM_SIM_ERR_BAD_OPTION);
  EXPECT_EQ(pvcam_sim_set_option("faults", "gap@1"), PV_FAIL);
  EXPECT_NE(last_message().find("missing ':amount'"), std::string::npos);

  ::setenv("PVCAM_SIM_CAMERAS", "2", 1);
  ASSERT_EQ(pl_pvcam_init(), PV_OK);
  int16 total = 0;
  pl_cam_get_total(&total);
  EXPECT_EQ(total, 2);
  pl_pvcam_uninit();
  ASSERT_EQ(pvcam_sim_set_option("cameras", "4"), PV_OK);  // the API wins
  ASSERT_EQ(pl_pvcam_init(), PV_OK);
  pl_cam_get_total(&total);
  EXPECT_EQ(total, 4);
  pl_pvcam_uninit();
  pvcam_sim_reset_options();
  ::setenv("PVCAM_SIM_CAMERAS", "nine", 1);
  EXPECT_EQ(pl_pvcam_init(), PV_FAIL);
  EXPECT_EQ(last_message(), "invalid pvcam-sim option: PVCAM_SIM_CAMERAS = 'nine': 1..8");
  ::unsetenv("PVCAM_SIM_CAMERAS");
  char text[ERROR_MSG_LEN] = "";
  pl_error_message(PVCAM_SIM_ERR_NO_FRAME, text);  // not this thread's last error: generic
  EXPECT_STREQ(text, "no frame is available");
}

}  // namespace
