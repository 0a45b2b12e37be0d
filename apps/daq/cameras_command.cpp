// `daq cameras`: the cameras this build can open. A driver whose SDK cannot list its cameras
// is reported on stderr and the others are still listed.
#include <cstdio>
#include <exception>
#include <string>

#include "command.hpp"
#include "daq/acquisition/camera_factory.hpp"
#include "exit_codes.hpp"
#ifdef DAQ_HAVE_ARAVIS
#include "daq/camera/aravis_camera.hpp"
#endif
#ifdef DAQ_HAVE_PVCAM
#include "daq/camera/pvcam_camera.hpp"
#endif

namespace daq::cli {
namespace {

/// Runs one driver's listing; its failure is one stderr line, not the end of the command.
template <class List>
void list_driver(const char* driver, List&& list) {
  try {
    list();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "daq cameras: %s cameras cannot be listed: %s\n", driver, e.what());
  }
}

int run_cameras() {
  std::printf("%-24s %s\n", "CAMERA", "DESCRIPTION");
  std::printf("%-24s %s\n", "sim", "simulated camera (patterns ramp, noise, realistic)");
#ifdef DAQ_HAVE_PVCAM
  list_driver("PVCAM", [] {
    for (const auto& name : list_pvcam_cameras()) {
      std::printf("%-24s %s\n", ("pvcam:" + name).c_str(), "PVCAM camera");
    }
  });
#endif
#ifdef DAQ_HAVE_ARAVIS
  list_driver("GenICam (Aravis)", [] {
    for (const auto& info : camera::list_aravis_cameras()) {
      const std::string id = "aravis:" + info.id;
      std::printf("%-24s %s %s (%s%s%s)\n", id.c_str(), info.vendor.c_str(), info.model.c_str(),
                  info.protocol.c_str(), info.address.empty() ? "" : " ", info.address.c_str());
    }
  });
#endif
  return kExitOk;
}

}  // namespace

Command add_cameras_command(CLI::App& root) {
  CLI::App* app = root.add_subcommand("cameras", "List the cameras this build can open");
  return {app, [] { return run_cameras(); }};
}

}  // namespace daq::cli
