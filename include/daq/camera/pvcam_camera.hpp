// daq/camera/pvcam_camera.hpp — the PVCAM driver (Teledyne Photometrics cameras).
//
// A FrameSource for the shared delivery loop, written against the PVCAM C API. It links the
// real libpvcam when CMake finds the SDK (-DDAQ_PVCAM_SDK_DIR=...), else pvcam-sim, the
// simulated SDK (src/camera/pvcam_sim/pvcam_sim.h); the code is the same.
//
// Per acquisition: the EOF callback is registered before pl_exp_setup_cont (CIRC_NO_OVERWRITE),
// pl_exp_start_cont runs on a circular buffer the driver owns; each frame is taken with
// pl_exp_get_oldest_frame_ex, copied once into the pooled FrameData, then unlocked (nothing reads
// the SDK frame after the unlock). FRAME_INFO.FrameNr (1-based) becomes hw_frame_nr, so frames
// the camera or an overrun lost show as gaps in the ledger; hw_numbering() = {1, one past the
// highest FrameNr the EOF callbacks reported before stop()} (capped at the start's frame count +
// 1), so frames overwritten after the last one taken, and those stop() discarded, are lost frames
// too (EOF's FrameNr counts every frame read out, overwritten ones included). SDK failures become
// messages of the form "pvcam: <call> failed: <pl_error_message> (error <code>)". Teardown order:
// pl_exp_stop_cont, deregister callbacks, pl_cam_close, pl_pvcam_uninit (the library is initialised
// once per process while any PVCAM source exists).
//
// Buffers are derived, not guessed (plan_buffers): the SDK circular buffer and the frame pool
// each hold buffer_seconds of frames at the camera's frame rate, both within
// memory_budget_bytes; the plan is logged at prepare().
//
// Thread-safety: PvcamConfig is a plain value; the FrameSource follows
// daq/pipeline/frame_source.hpp. Allocation: prepare() (SDK buffer) and start(); the frame path
// allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "daq/camera/camera_config.hpp"
#include "daq/pipeline/delivery.hpp"
#include "daq/pipeline/frame_source.hpp"

namespace daq {

struct PvcamConfig {
  std::string camera;             ///< name from list_pvcam_cameras(); empty = the first camera
  double exposure_ms = 10.0;      ///< exposure per frame, ms (0.001 .. 3600000)
  Roi roi;                        ///< read-out region; {0,0,0,0} = full sensor
  Binning binning;                ///< {x, y} factors (1 .. 64) dividing the ROI sides
  std::uint32_t bit_depth = 0;    ///< 0 = the camera's; else must equal it
  std::uint64_t frame_count = 0;  ///< frames per acquisition unless its start gives its own
                                  ///< (StartOptions); 0 = continuous
  double buffer_seconds = 1.0;    ///< SDK buffer and pool each hold this long (0.01 .. 60 s)
  std::size_t memory_budget_bytes = std::size_t{1} << 30;  ///< SDK buffer + pool, bytes
  std::size_t pool_frames = 0;  ///< make_pvcam_camera: 0 = derived by plan_buffers

  /// Throws daq::ConfigError for settings that are wrong whatever the camera.
  void validate() const;
};

/// How many frames the SDK circular buffer and the frame pool get.
struct BufferPlan {
  std::uint32_t sdk_frames = 0;
  std::size_t pool_frames = 0;
  double seconds = 0.0;  ///< time each side covers at `fps` (0 when fps is unknown)
  bool capped = false;   ///< the budget allowed less than buffer_seconds
};

/// buffer_seconds x fps frames for each side (at least 4; 2 each when the budget is tight),
/// scaled down to fit memory_budget_bytes; the SDK buffer also stays below 4 GiB (its size is
/// a 32-bit PVCAM argument). Throws daq::ConfigError naming memory_budget_bytes when not even
/// 2 + 2 frames fit, or when one frame is larger than the budget.
BufferPlan plan_buffers(double fps, std::size_t frame_bytes, double buffer_seconds,
                        std::size_t memory_budget_bytes);

/// The cameras PVCAM reports (initialises the library for the call). Throws SourceError.
std::vector<std::string> list_pvcam_cameras();

/// A PVCAM FrameSource; prepare() opens the camera (SourceError) and checks the configuration
/// against it (ConfigError). prepare() may be called again: it returns the same format.
std::unique_ptr<FrameSource> make_pvcam_source(PvcamConfig config);

/// A PVCAM camera run by the shared delivery loop. Opens the camera now to plan the buffers:
/// options.pool_frames becomes the plan's pool size unless config.pool_frames is set.
std::unique_ptr<FrameProducer> make_pvcam_camera(PvcamConfig config, DeliveryOptions options = {});

}  // namespace daq
