#include "errors.hpp"

#include <cstdarg>
#include <cstdio>

#include "pvcam.h"

namespace pvcam_sim {
namespace {

thread_local int16 t_code = PVCAM_SIM_ERR_NONE;
thread_local char t_detail[160] = "";  // leaves room for the generic text in ERROR_MSG_LEN

const char* generic(int16 code) noexcept {
  switch (code) {
    case PVCAM_SIM_ERR_NONE:
      return "no error";
    case PVCAM_SIM_ERR_NOT_INITIALIZED:
      return "PVCAM is not initialized";
    case PVCAM_SIM_ERR_ALREADY_INITIALIZED:
      return "PVCAM is already initialized";
    case PVCAM_SIM_ERR_BAD_ARGUMENT:
      return "invalid argument";
    case PVCAM_SIM_ERR_NO_SUCH_CAMERA:
      return "no such camera";
    case PVCAM_SIM_ERR_CAMERA_BUSY:
      return "the camera is already open";
    case PVCAM_SIM_ERR_BAD_HANDLE:
      return "invalid camera handle";
    case PVCAM_SIM_ERR_PARAM_NOT_AVAILABLE:
      return "parameter not available";
    case PVCAM_SIM_ERR_PARAM_READ_ONLY:
      return "parameter is read-only";
    case PVCAM_SIM_ERR_BAD_VALUE:
      return "invalid parameter value";
    case PVCAM_SIM_ERR_BAD_REGION:
      return "invalid acquisition region";
    case PVCAM_SIM_ERR_BAD_MODE:
      return "unsupported exposure or buffer mode";
    case PVCAM_SIM_ERR_NOT_SET_UP:
      return "the acquisition is not set up";
    case PVCAM_SIM_ERR_BAD_BUFFER:
      return "invalid frame buffer";
    case PVCAM_SIM_ERR_ACQUISITION_RUNNING:
      return "an acquisition is running";
    case PVCAM_SIM_ERR_NOT_RUNNING:
      return "no acquisition is running";
    case PVCAM_SIM_ERR_NO_FRAME:
      return "no frame is available";
    case PVCAM_SIM_ERR_BUFFER_OVERRUN:
      return "circular buffer overrun: frames were overwritten";
    case PVCAM_SIM_ERR_NOT_LOCKED:
      return "no frame is locked";
    case PVCAM_SIM_ERR_READOUT_FAILED:
      return "readout failed";
    case PVCAM_SIM_ERR_CAMERA_REMOVED:
      return "the camera was removed";
    case PVCAM_SIM_ERR_BAD_OPTION:
      return "invalid pvcam-sim option";
    default:
      return "unknown error";
  }
}

}  // namespace

void clear_error() noexcept {
  t_code = PVCAM_SIM_ERR_NONE;
}

rs_bool fail(int code, const char* format, ...) noexcept {
  t_code = static_cast<int16>(code);
  va_list args;
  va_start(args, format);
  std::vsnprintf(t_detail, sizeof t_detail, format, args);
  va_end(args);
  return PV_FAIL;
}

int16 last_error() noexcept {
  return t_code;
}

void error_message(int16 code, char* out) noexcept {
  if (code == t_code && code != PVCAM_SIM_ERR_NONE) {
    std::snprintf(out, ERROR_MSG_LEN, "%s: %s", generic(code), t_detail);
  } else {
    std::snprintf(out, ERROR_MSG_LEN, "%s", generic(code));
  }
}

}  // namespace pvcam_sim
