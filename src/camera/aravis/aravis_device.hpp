// Opening and configuring one Aravis camera (prepare()'s work), kept apart from streaming.
// Internal to the driver. Allocation: everything here allocates; none of it is on the frame path.
#pragma once

#include <arv.h>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

#include "daq/camera/aravis_camera.hpp"
#include "glib_ptr.hpp"

namespace daq::camera::aravis_detail {

/// Serialises use of Aravis's process-wide device list (discovery, open).
std::mutex& system_mutex();

/// Opens the camera `id` (empty: the first one found; "Fake_*" enables Aravis's in-process fake
/// interface first). Throws SourceError naming the id, Aravis's reason and the cameras found.
GObjectPtr<ArvCamera> open_camera(const std::string& id);

/// What the camera accepted.
struct CameraSettings {
  AravisConfig applied;  ///< the configuration with the camera's actual values filled in
  SourceFormat format;
  std::size_t payload = 0;  ///< bytes per Aravis buffer (image + any chunk data)
  bool gige = false;        ///< GigE Vision transport
  /// Frame ids run 1..frame_id_period and wrap (GigE Vision, and Aravis's fake camera: 65535);
  /// 0: they never wrap (USB3 Vision's 64-bit block ids).
  std::uint64_t frame_id_period = 65535;
  std::string device_id;
};

/// Applies `config` to `camera` and reads back the result. Throws ConfigError naming the field
/// and the camera's limit, SourceError when the camera fails a request.
CameraSettings configure_camera(ArvCamera* camera, const AravisConfig& config);

}  // namespace daq::camera::aravis_detail
