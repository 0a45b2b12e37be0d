#include "camera_factory.hpp"

#include <charconv>
#include <string_view>

#include "daq/camera/sim_camera.hpp"
#include "exit_codes.hpp"
#ifdef DAQ_HAVE_ARAVIS
#include "daq/camera/aravis_camera.hpp"
#endif
#ifdef DAQ_HAVE_PVCAM
#include "daq/camera/pvcam_camera.hpp"
#endif

namespace daq::cli {
namespace {

struct CameraSpec {
  std::string driver;
  std::string id;  ///< after the colon; empty = first / default
};

CameraSpec parse_camera(const std::string& text) {
  const auto colon = text.find(':');
  CameraSpec spec{text.substr(0, colon), colon == std::string::npos ? "" : text.substr(colon + 1)};
  for (const std::string& driver : available_drivers()) {
    if (driver == spec.driver) return spec;
  }
  std::string known;
  for (const std::string& driver : available_drivers()) known += (known.empty() ? "" : ", ") + driver;
  throw UsageError("--camera: unknown camera '" + text + "' (this build has: " + known + ")");
}

Binning parse_binning(const std::string& text) {
  if (text.empty()) return {};
  const auto x = text.find_first_of("xX");
  unsigned bx = 0;
  unsigned by = 0;
  const char* begin = text.data();
  const char* end = begin + text.size();
  const bool ok = x != std::string::npos &&
                  std::from_chars(begin, begin + x, bx).ptr == begin + x &&
                  std::from_chars(begin + x + 1, end, by).ptr == end && bx >= 1 && by >= 1 &&
                  bx <= kMaxBinning && by <= kMaxBinning;
  if (!ok) {
    throw UsageError("--binning: expected NxM with N and M in 1.." + std::to_string(kMaxBinning) +
                     ", got '" + text + "'");
  }
  return {static_cast<std::uint16_t>(bx), static_cast<std::uint16_t>(by)};
}

Roi parse_roi(const std::vector<std::uint32_t>& values) {
  if (values.empty()) return {};
  if (values.size() != 4) {
    throw UsageError("--roi: expected x,y,width,height (4 numbers), got " +
                     std::to_string(values.size()));
  }
  return {values[0], values[1], values[2], values[3]};
}

std::unique_ptr<FrameSource> make_sim(const CameraOptions& o, const CameraSpec& spec) {
  SimConfig config;
  if (!spec.id.empty()) config.name = spec.id;
  config.width = o.width;
  config.height = o.height;
  config.bit_depth = o.bit_depth;
  config.fps = o.fps;
  config.exposure_ms = o.exposure_ms;
  config.roi = parse_roi(o.roi);
  config.binning = parse_binning(o.binning);
  config.frame_count = o.frames;
  config.pattern = parse_sim_pattern(o.pattern);
  config.seed = o.seed;
  config.validate();
  return make_sim_source(std::move(config));
}

#ifdef DAQ_HAVE_ARAVIS
std::unique_ptr<FrameSource> make_aravis(const CameraOptions& o, const CameraSpec& spec) {
  camera::AravisConfig config;
  config.camera_id = spec.id;
  if (o.fps > 0) config.frame_rate_hz = o.fps;
  if (o.exposure_ms > 0) config.exposure_us = o.exposure_ms * 1000.0;
  if (!o.roi.empty()) config.roi = parse_roi(o.roi);
  if (!o.binning.empty()) config.binning = parse_binning(o.binning);
  switch (o.bit_depth) {
    case 8: config.pixel_format = camera::AravisPixelFormat::mono8; break;
    case 12: config.pixel_format = camera::AravisPixelFormat::mono12; break;
    case 16: config.pixel_format = camera::AravisPixelFormat::mono16; break;
    default:
      throw UsageError("--bit-depth: a GenICam camera takes 8, 12 or 16, got " +
                       std::to_string(o.bit_depth));
  }
  config.frame_count = o.frames;
  config.validate();
  return camera::make_aravis_source(config);
}
#endif

}  // namespace

std::vector<std::string> available_drivers() {
  std::vector<std::string> drivers{"sim"};
#ifdef DAQ_HAVE_PVCAM
  drivers.emplace_back("pvcam");
#endif
#ifdef DAQ_HAVE_ARAVIS
  drivers.emplace_back("aravis");
#endif
  return drivers;
}

std::unique_ptr<FrameSource> make_source(const CameraOptions& options) {
  const CameraSpec spec = parse_camera(options.camera);
  if (spec.driver == "sim") return make_sim(options, spec);
#ifdef DAQ_HAVE_ARAVIS
  if (spec.driver == "aravis") return make_aravis(options, spec);
#endif
  throw UsageError("--camera: driver '" + spec.driver + "' is not wired into this command");
}

}  // namespace daq::cli
