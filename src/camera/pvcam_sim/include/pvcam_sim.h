/* pvcam_sim.h — what pvcam-sim adds to the PVCAM API: configuring the simulated cameras and
 * injecting faults. Only code built against pvcam_sim (tests, tools) includes this.
 *
 * The simulation. pl_pvcam_init() finds `cameras` cameras named "PMSimCam0", "PMSimCam1", ...
 * Each has a sensor of `sensor` pixels, one bit depth, and exposes frames on its own thread
 * once pl_exp_start_cont() ran: frame k (FrameNr k, from 1) is due k periods after the start,
 * period = max(exposure, readout time of the region); readout time = rows x `row_time_us`.
 * A frame is written into the CALLER's buffer (slot after slot), then the EOF callback runs on
 * the camera thread with its FRAME_INFO. pl_exp_get_oldest_frame_ex() hands out the oldest
 * unread frame and keeps it locked until pl_exp_unlock_oldest_frame(); a locked frame is never
 * written. When every slot holds an unread frame, the next frame replaces the oldest unlocked
 * one; in CIRC_NO_OVERWRITE mode the next pl_exp_get_oldest_frame_ex() then fails once with
 * PVCAM_SIM_ERR_BUFFER_OVERRUN, and FrameNr shows the gap (documented PVCAM behaviour). As with
 * PVCAM, the EOF callback runs for every frame read out into the buffer, those that overwrote
 * an unread frame included, so its FrameNr counts every frame the sensor read out (only a frame
 * that finds no slot at all, a 1-frame buffer whose frame is locked, is lost without one).
 * Pixels follow `pattern` on the delivered (binned) image; ramp: pixel (x, y) of frame FrameNr
 * is (x + y + FrameNr - 1) mod 2^bit_depth.
 * Faults (`faults`, daq/camera/fault_script.hpp syntax; frame N is FrameNr N + 1):
 * gap/stall/burst shape the frame stream; sdk_error@N stops the camera before that frame and
 * pl_exp_check_cont_status() reports READOUT_FAILED (PVCAM_SIM_ERR_READOUT_FAILED);
 * disconnect@N runs the PL_CALLBACK_CAM_REMOVED callback and fails the same way
 * (PVCAM_SIM_ERR_CAMERA_REMOVED).
 *
 * Options: pvcam_sim_set_option(key, value), or the environment variable PVCAM_SIM_<KEY> (key in
 * upper case) when the option was not set. `cameras` is read by pl_pvcam_init(), `sensor`,
 * `bit_depth`, `row_time_us`, `temperature_c` by pl_cam_open(), `pattern`, `seed`, `faults` by
 * pl_exp_start_cont().
 *   cameras        1..8                        default 1
 *   sensor         WIDTHxHEIGHT, 1..65535      default 2048x2048
 *   bit_depth      8, 12 or 16                 default 16
 *   row_time_us    0..1000 (microseconds)      default 5
 *   temperature_c  -100..100                   default -20
 *   pattern        ramp, noise or realistic    default ramp
 *   seed           unsigned integer            default 1
 *   faults         fault script                default none
 *
 * Thread-safety: like PVCAM, every function may be called from any thread; error codes are
 * per thread. */
#ifndef PVCAM_SIM_H
#define PVCAM_SIM_H

#include "master.h"

/* Error codes of pvcam-sim (pl_error_code). */
enum PVCAM_SIM_ERRORS {
  PVCAM_SIM_ERR_NONE = 0,
  PVCAM_SIM_ERR_NOT_INITIALIZED = 3001,
  PVCAM_SIM_ERR_ALREADY_INITIALIZED,
  PVCAM_SIM_ERR_BAD_ARGUMENT,
  PVCAM_SIM_ERR_NO_SUCH_CAMERA,
  PVCAM_SIM_ERR_CAMERA_BUSY,
  PVCAM_SIM_ERR_BAD_HANDLE,
  PVCAM_SIM_ERR_PARAM_NOT_AVAILABLE,
  PVCAM_SIM_ERR_PARAM_READ_ONLY,
  PVCAM_SIM_ERR_BAD_VALUE,
  PVCAM_SIM_ERR_BAD_REGION,
  PVCAM_SIM_ERR_BAD_MODE,
  PVCAM_SIM_ERR_NOT_SET_UP,
  PVCAM_SIM_ERR_BAD_BUFFER,
  PVCAM_SIM_ERR_ACQUISITION_RUNNING,
  PVCAM_SIM_ERR_NOT_RUNNING,
  PVCAM_SIM_ERR_NO_FRAME,
  PVCAM_SIM_ERR_BUFFER_OVERRUN,
  PVCAM_SIM_ERR_NOT_LOCKED,
  PVCAM_SIM_ERR_READOUT_FAILED,
  PVCAM_SIM_ERR_CAMERA_REMOVED,
  PVCAM_SIM_ERR_BAD_OPTION
};

#ifdef PV_C_PLUS_PLUS
extern "C" {
#endif

/* Sets an option (see above). PV_FAIL (PVCAM_SIM_ERR_BAD_OPTION, pl_error_message says why)
 * for an unknown key or a bad value. */
rs_bool PV_DECL pvcam_sim_set_option(const char* key, const char* value);

/* Forgets every option set with pvcam_sim_set_option (the environment applies again). */
void PV_DECL pvcam_sim_reset_options(void);

/* For tests: waits up to timeout_ms until the open camera `camera_name`'s acquisition has read
 * out `frames` frames (or ended), then returns how many it read out: the FrameNr of the last
 * frame the sensor read out, whether it was stored, overwrote an unread frame or was lost
 * (frames a gap fault skips are not read out). Kept after pl_exp_stop_cont until the next
 * pl_exp_start_cont. -1 (PVCAM_SIM_ERR_BAD_HANDLE) when no open camera has that name. */
long64 PV_DECL pvcam_sim_wait_read_out(const char* camera_name, ulong64 frames,
                                       uns32 timeout_ms);

#ifdef PV_C_PLUS_PLUS
}
#endif

#endif /* PVCAM_SIM_H */
