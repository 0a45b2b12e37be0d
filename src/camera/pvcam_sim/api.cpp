// The PVCAM C API of pvcam-sim: library state (init, camera list, open handles) and the
// functions that forward to CameraDevice. See pvcam_sim.h for the simulated behaviour.
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "camera_device.hpp"
#include "errors.hpp"
#include "options.hpp"
#include "pvcam.h"
#include "pvcam_sim.h"

namespace pvcam_sim {
namespace {

struct Library {
  std::mutex mutex;
  bool initialized = false;
  int cameras = 0;
  std::array<std::unique_ptr<CameraDevice>, MAX_CAM> open;  // by handle
};

Library& library() {
  static Library lib;
  return lib;
}

std::string camera_name(int index) {
  return "PMSimCam" + std::to_string(index);
}

/// The open camera `hcam`, or nullptr with the error set. Closing a camera while another
/// thread uses its handle is a caller bug, as with PVCAM.
CameraDevice* camera(int16 hcam) {
  Library& lib = library();
  std::lock_guard lock(lib.mutex);
  if (!lib.initialized) {
    fail(PVCAM_SIM_ERR_NOT_INITIALIZED, "call pl_pvcam_init first");
    return nullptr;
  }
  if (hcam < 0 || hcam >= MAX_CAM || !lib.open[static_cast<std::size_t>(hcam)]) {
    fail(PVCAM_SIM_ERR_BAD_HANDLE, "handle %d is not an open camera", hcam);
    return nullptr;
  }
  return lib.open[static_cast<std::size_t>(hcam)].get();
}

/// Runs `call` on the open camera `hcam` (an API call on a camera handle).
template <class Call>
rs_bool with_camera(int16 hcam, Call call) {
  clear_error();
  CameraDevice* c = camera(hcam);
  if (c == nullptr) return PV_FAIL;
  return call(*c);
}

}  // namespace
}  // namespace pvcam_sim

using namespace pvcam_sim;

extern "C" {

rs_bool PV_DECL pl_pvcam_get_ver(uns16* pvcam_version) {
  clear_error();
  if (pvcam_version == nullptr) return fail(PVCAM_SIM_ERR_BAD_ARGUMENT, "NULL version");
  *pvcam_version = 0x0310;  // reports itself as PVCAM 3.1.0
  return PV_OK;
}

rs_bool PV_DECL pl_pvcam_init(void) {
  clear_error();
  Settings settings;
  if (resolve_settings(settings) == PV_FAIL) return PV_FAIL;
  Library& lib = library();
  std::lock_guard lock(lib.mutex);
  if (lib.initialized) return fail(PVCAM_SIM_ERR_ALREADY_INITIALIZED, "pl_pvcam_init");
  lib.initialized = true;
  lib.cameras = settings.cameras;
  return PV_OK;
}

rs_bool PV_DECL pl_pvcam_uninit(void) {
  clear_error();
  Library& lib = library();
  std::array<std::unique_ptr<CameraDevice>, MAX_CAM> closing;
  {
    std::lock_guard lock(lib.mutex);
    if (!lib.initialized) return fail(PVCAM_SIM_ERR_NOT_INITIALIZED, "pl_pvcam_uninit");
    lib.initialized = false;
    closing.swap(lib.open);
  }
  return PV_OK;  // `closing` stops and closes every camera still open
}

rs_bool PV_DECL pl_cam_get_total(int16* totl_cams) {
  clear_error();
  if (totl_cams == nullptr) return fail(PVCAM_SIM_ERR_BAD_ARGUMENT, "NULL count");
  Library& lib = library();
  std::lock_guard lock(lib.mutex);
  if (!lib.initialized) return fail(PVCAM_SIM_ERR_NOT_INITIALIZED, "pl_cam_get_total");
  *totl_cams = static_cast<int16>(lib.cameras);
  return PV_OK;
}

rs_bool PV_DECL pl_cam_get_name(int16 cam_num, char* name) {
  clear_error();
  if (name == nullptr) return fail(PVCAM_SIM_ERR_BAD_ARGUMENT, "NULL name");
  Library& lib = library();
  std::lock_guard lock(lib.mutex);
  if (!lib.initialized) return fail(PVCAM_SIM_ERR_NOT_INITIALIZED, "pl_cam_get_name");
  if (cam_num < 0 || cam_num >= lib.cameras) {
    return fail(PVCAM_SIM_ERR_NO_SUCH_CAMERA, "camera number %d of %d", cam_num, lib.cameras);
  }
  std::snprintf(name, CAM_NAME_LEN, "%s", camera_name(cam_num).c_str());
  return PV_OK;
}

rs_bool PV_DECL pl_cam_open(char* camera_name_in, int16* hcam, int16 o_mode) {
  clear_error();
  if (camera_name_in == nullptr || hcam == nullptr) {
    return fail(PVCAM_SIM_ERR_BAD_ARGUMENT, "pl_cam_open: NULL argument");
  }
  if (o_mode != OPEN_EXCLUSIVE) return fail(PVCAM_SIM_ERR_BAD_ARGUMENT, "open mode %d", o_mode);
  Settings settings;
  if (resolve_settings(settings) == PV_FAIL) return PV_FAIL;
  Library& lib = library();
  std::lock_guard lock(lib.mutex);
  if (!lib.initialized) return fail(PVCAM_SIM_ERR_NOT_INITIALIZED, "pl_cam_open");
  for (int i = 0; i < lib.cameras; ++i) {
    if (camera_name(i) != camera_name_in) continue;
    auto& slot = lib.open[static_cast<std::size_t>(i)];
    if (slot) return fail(PVCAM_SIM_ERR_CAMERA_BUSY, "%s", camera_name_in);
    slot = std::make_unique<CameraDevice>(static_cast<int16>(i), camera_name_in, settings);
    *hcam = static_cast<int16>(i);
    return PV_OK;
  }
  return fail(PVCAM_SIM_ERR_NO_SUCH_CAMERA, "'%s'", camera_name_in);
}

rs_bool PV_DECL pl_cam_close(int16 hcam) {
  clear_error();
  std::unique_ptr<CameraDevice> closing;
  {
    Library& lib = library();
    std::lock_guard lock(lib.mutex);
    if (!lib.initialized) return fail(PVCAM_SIM_ERR_NOT_INITIALIZED, "pl_cam_close");
    if (hcam < 0 || hcam >= MAX_CAM || !lib.open[static_cast<std::size_t>(hcam)]) {
      return fail(PVCAM_SIM_ERR_BAD_HANDLE, "handle %d is not an open camera", hcam);
    }
    closing = std::move(lib.open[static_cast<std::size_t>(hcam)]);
  }
  return PV_OK;  // destroying the device stops a running acquisition first
}

rs_bool PV_DECL pl_cam_register_callback_ex3(int16 hcam, int32 callback_event, void* callback,
                                             void* context) {
  return with_camera(hcam, [&](CameraDevice& c) {
    return c.register_callback(callback_event, callback, context);
  });
}

rs_bool PV_DECL pl_cam_deregister_callback(int16 hcam, int32 callback_event) {
  return with_camera(hcam, [&](CameraDevice& c) { return c.deregister_callback(callback_event); });
}

int16 PV_DECL pl_error_code(void) {
  return last_error();
}

rs_bool PV_DECL pl_error_message(int16 err_code, char* msg) {
  if (msg == nullptr) return PV_FAIL;
  error_message(err_code, msg);
  return PV_OK;
}

rs_bool PV_DECL pl_get_param(int16 hcam, uns32 param_id, int16 param_attribute, void* param_value) {
  return with_camera(
      hcam, [&](CameraDevice& c) { return c.get_param(param_id, param_attribute, param_value); });
}

rs_bool PV_DECL pl_set_param(int16 hcam, uns32 param_id, void* param_value) {
  return with_camera(hcam, [&](CameraDevice& c) { return c.set_param(param_id, param_value); });
}

rs_bool PV_DECL pl_exp_setup_cont(int16 hcam, uns16 rgn_total, const rgn_type* rgn_array,
                                  int16 exp_mode, uns32 exposure_time, uns32* exp_bytes,
                                  int16 buffer_mode) {
  return with_camera(hcam, [&](CameraDevice& c) {
    if (rgn_total != 1 || rgn_array == nullptr) {
      return fail(PVCAM_SIM_ERR_BAD_REGION, "%u regions (exactly one is simulated)", rgn_total);
    }
    return c.setup(*rgn_array, exp_mode, exposure_time, exp_bytes, buffer_mode);
  });
}

rs_bool PV_DECL pl_exp_start_cont(int16 hcam, void* pixel_stream, uns32 size) {
  return with_camera(hcam, [&](CameraDevice& c) { return c.start(pixel_stream, size); });
}

rs_bool PV_DECL pl_exp_check_cont_status(int16 hcam, int16* status, uns32* bytes_arrived,
                                         uns32* buffer_cnt) {
  return with_camera(
      hcam, [&](CameraDevice& c) { return c.check_status(status, bytes_arrived, buffer_cnt); });
}

rs_bool PV_DECL pl_exp_get_oldest_frame_ex(int16 hcam, void** frame, FRAME_INFO* pFrameInfo) {
  return with_camera(hcam, [&](CameraDevice& c) { return c.get_oldest(frame, pFrameInfo); });
}

rs_bool PV_DECL pl_exp_unlock_oldest_frame(int16 hcam) {
  return with_camera(hcam, [&](CameraDevice& c) { return c.unlock_oldest(); });
}

rs_bool PV_DECL pl_exp_stop_cont(int16 hcam, int16 /*cam_state*/) {
  return with_camera(hcam, [&](CameraDevice& c) { return c.stop(); });
}

rs_bool PV_DECL pl_exp_abort(int16 hcam, int16 cam_state) {
  return pl_exp_stop_cont(hcam, cam_state);
}

rs_bool PV_DECL pvcam_sim_set_option(const char* key, const char* value) {
  clear_error();
  if (key == nullptr || value == nullptr) {
    return fail(PVCAM_SIM_ERR_BAD_OPTION, "NULL key or value");
  }
  return set_option(key, value);
}

void PV_DECL pvcam_sim_reset_options(void) {
  reset_options();
}

long64 PV_DECL pvcam_sim_wait_read_out(const char* camera_name_in, ulong64 frames,
                                       uns32 timeout_ms) {
  clear_error();
  if (camera_name_in == nullptr) {
    fail(PVCAM_SIM_ERR_BAD_ARGUMENT, "pvcam_sim_wait_read_out: NULL camera name");
    return -1;
  }
  CameraDevice* device = nullptr;
  {
    Library& lib = library();
    std::lock_guard lock(lib.mutex);
    for (const auto& open : lib.open) {
      if (open && open->name() == camera_name_in) device = open.get();
    }
  }
  if (device == nullptr) {
    fail(PVCAM_SIM_ERR_BAD_HANDLE, "'%s' is not an open camera", camera_name_in);
    return -1;
  }
  // Closing the camera meanwhile is a caller bug, as for every call on an open camera.
  return static_cast<long64>(device->wait_read_out(frames, std::chrono::milliseconds(timeout_ms)));
}

}  // extern "C"
