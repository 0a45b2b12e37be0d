// Camera discovery and opening: list_aravis_cameras() and open_camera().
#include <arv.h>

#include <mutex>
#include <string>
#include <vector>

#include "aravis_device.hpp"
#include "daq/camera/aravis_camera.hpp"

namespace daq::camera {

namespace aravis_detail {
namespace {

std::string text(const char* s) {
  return s != nullptr ? s : "";
}

bool is_fake_id(const std::string& id) {
  return id.rfind("Fake_", 0) == 0;
}

// The ids in Aravis's current device list, for error messages. Caller holds system_mutex().
std::string known_ids() {
  std::string ids;
  const unsigned n = arv_get_n_devices();
  for (unsigned i = 0; i < n; ++i) {
    if (!ids.empty()) ids += ", ";
    ids += text(arv_get_device_id(i));
  }
  return ids.empty() ? "none" : ids;
}

}  // namespace

std::mutex& system_mutex() {
  static std::mutex mutex;
  return mutex;
}

GObjectPtr<ArvCamera> open_camera(const std::string& id) {
  std::lock_guard lock(system_mutex());
  if (is_fake_id(id)) arv_enable_interface("Fake");
  ErrorSlot error;
  GObjectPtr<ArvCamera> camera(arv_camera_new(id.empty() ? nullptr : id.c_str(), error.out()));
  if (camera && !error) return camera;
  const std::string reason = error ? error.take() : "no camera answered";
  arv_update_device_list();
  throw SourceError("aravis: cannot open camera '" + (id.empty() ? std::string("<first>") : id) +
                    "': " + reason + " (cameras found: " + known_ids() +
                    "; `daq cameras` lists them)");
}

}  // namespace aravis_detail

std::vector<CameraInfo> list_aravis_cameras(bool include_fake) {
  std::lock_guard lock(aravis_detail::system_mutex());
  if (include_fake) arv_enable_interface("Fake");
  arv_update_device_list();
  std::vector<CameraInfo> cameras;
  const unsigned n = arv_get_n_devices();
  for (unsigned i = 0; i < n; ++i) {
    CameraInfo info{aravis_detail::text(arv_get_device_id(i)),
                    aravis_detail::text(arv_get_device_vendor(i)),
                    aravis_detail::text(arv_get_device_model(i)),
                    aravis_detail::text(arv_get_device_serial_nbr(i)),
                    aravis_detail::text(arv_get_device_protocol(i)),
                    aravis_detail::text(arv_get_device_address(i))};
    if (!include_fake && info.protocol == "Fake") continue;
    cameras.push_back(std::move(info));
  }
  return cameras;
}

}  // namespace daq::camera
