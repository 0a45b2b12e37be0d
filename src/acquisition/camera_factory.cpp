#include "daq/acquisition/camera_factory.hpp"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <string>
#include <vector>

#include "daq/acquisition/flag_names.hpp"
#include "daq/camera/sim_camera.hpp"
#ifdef DAQ_HAVE_ARAVIS
#include "daq/camera/aravis_camera.hpp"
#endif
#ifdef DAQ_HAVE_PVCAM
#include "daq/camera/pvcam_camera.hpp"
#endif

namespace daq::acquisition {
namespace {

/// A setting this factory rejects itself: its message already names the flag. The drivers'
/// ConfigErrors name their fields instead, and make_camera() adds the flags to those.
class SettingError : public ConfigError {
 public:
  using ConfigError::ConfigError;
};

struct CameraSpec {
  std::string driver;
  std::string id;  ///< after the colon; empty = first / default
};

CameraSpec parse_camera(const std::string& text) {
  const auto colon = text.find(':');
  CameraSpec spec{text.substr(0, colon), colon == std::string::npos ? "" : text.substr(colon + 1)};
  std::string known;
  for (const std::string& driver : available_drivers()) {
    if (driver == spec.driver) return spec;
    known += (known.empty() ? "" : ", ") + driver;
  }
  throw SettingError("--camera: unknown camera '" + text + "' (this build has: " + known + ")");
}

/// A named camera that is not among `found` (the ids a driver lists) is a usage error naming
/// the ones there are, not a failure to open it later.
[[maybe_unused]] void require_listed(const char* driver, const std::string& id,
                                     const std::vector<std::string>& found) {
  if (id.empty() || std::find(found.begin(), found.end(), id) != found.end()) return;
  std::string names;
  for (const std::string& name : found) names += (names.empty() ? "" : ", ") + name;
  throw SettingError(std::string("--camera: no ") + driver + " camera named '" + id +
                     "' (found: " + (names.empty() ? std::string("none") : names) + ")");
}

/// Real cameras have their own sensor and image: flags that only shape the simulation are
/// an error for them rather than silently ignored.
void reject_flags(const CameraSettings& o, const std::string& driver,
                  std::initializer_list<std::string_view> flags, const char* why) {
  for (const std::string_view flag : flags) {
    if (o.was_given(flag)) {
      throw SettingError(std::string(flag) + ": not available for " + driver + " cameras (" + why +
                         ")");
    }
  }
}

/// Flags only one driver takes.
constexpr std::string_view kAravisOnly = "--aravis-buffers";

CameraSetup make_sim(const CameraSettings& o, const CameraSpec& spec) {
  reject_flags(o, "sim", {kAravisOnly}, "it sets the Aravis driver's buffers");
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
  CameraSetup setup;
  setup.model = "SimCamera";
  setup.roi = config.roi;
  setup.binning = config.binning;
  setup.source = make_sim_source(std::move(config));
  return setup;
}

#ifdef DAQ_HAVE_PVCAM
CameraSetup make_pvcam(const CameraSettings& o, const CameraSpec& spec) {
  reject_flags(o, "pvcam", {"--width", "--height", "--pattern", "--seed"},
               "the sensor is fixed: use --roi and --binning");
  reject_flags(o, "pvcam", {"--fps"}, "the frame rate follows from --exposure-ms");
  reject_flags(o, "pvcam", {kAravisOnly}, "it sets the Aravis driver's buffers");
  if (!spec.id.empty()) require_listed("PVCAM", spec.id, list_pvcam_cameras());
  PvcamConfig config;
  config.camera = spec.id;
  if (o.was_given("--exposure-ms")) config.exposure_ms = o.exposure_ms;
  if (o.was_given("--bit-depth")) config.bit_depth = o.bit_depth;
  config.roi = parse_roi(o.roi);
  config.binning = parse_binning(o.binning);
  config.frame_count = o.frames;
  config.validate();
  CameraSetup setup;
  setup.model = "PVCAM";
  setup.roi = config.roi;
  setup.binning = config.binning;
  const double buffer_seconds = config.buffer_seconds;
  const std::size_t budget = config.memory_budget_bytes;
  setup.source = make_pvcam_source(std::move(config));
  // The driver sizes the SDK buffer from the frame rate; the pool gets the same plan.
  const SourceFormat format = setup.source->prepare();
  setup.pool_frames =
      plan_buffers(format.frames_per_second, format.frame_bytes, buffer_seconds, budget)
          .pool_frames;
  return setup;
}
#endif

#ifdef DAQ_HAVE_ARAVIS
camera::AravisBufferMode parse_aravis_buffers(const std::string& text) {
  if (text == "copy") return camera::AravisBufferMode::copy;
  if (text == "zero-copy") return camera::AravisBufferMode::zero_copy;
  throw SettingError("--aravis-buffers: expected copy or zero-copy, got '" + text + "'");
}

CameraSetup make_aravis(const CameraSettings& o, const CameraSpec& spec) {
  reject_flags(o, "aravis", {"--width", "--height", "--pattern", "--seed"},
               "the sensor is fixed: use --roi and --binning");
  if (!spec.id.empty()) {
    // Aravis also opens a camera by serial number or address: each names it.
    std::vector<std::string> names;
    for (const camera::CameraInfo& info :
         camera::list_aravis_cameras(spec.id.rfind("Fake_", 0) == 0)) {
      names.push_back(info.id);
      if (spec.id == info.serial || (!info.address.empty() && spec.id == info.address)) {
        names.push_back(spec.id);
      }
    }
    require_listed("Aravis", spec.id, names);
  }
  camera::AravisConfig config;
  config.camera_id = spec.id;
  if (o.was_given("--fps") && o.fps > 0) config.frame_rate_hz = o.fps;
  if (o.was_given("--exposure-ms")) config.exposure_us = o.exposure_ms * 1000.0;
  if (!o.roi.empty()) config.roi = parse_roi(o.roi);
  if (!o.binning.empty()) config.binning = parse_binning(o.binning);
  if (o.was_given("--bit-depth")) {
    switch (o.bit_depth) {
      case 8:
        config.pixel_format = camera::AravisPixelFormat::mono8;
        break;
      case 12:
        config.pixel_format = camera::AravisPixelFormat::mono12;
        break;
      case 16:
        config.pixel_format = camera::AravisPixelFormat::mono16;
        break;
      default:
        throw SettingError("--bit-depth: a GenICam camera takes 8, 12 or 16, got " +
                           std::to_string(o.bit_depth));
    }
  }
  config.buffer_mode = parse_aravis_buffers(o.aravis_buffers);
  config.frame_count = o.frames;
  config.validate();
  CameraSetup setup;
  setup.model = "GenICam";
  setup.roi = config.roi.value_or(Roi{});
  setup.binning = config.binning.value_or(Binning{});
  auto source = std::make_unique<camera::AravisSource>(config);
  const camera::AravisSource* aravis = source.get();  // owned by the producer from here on
  setup.frames_lent = [aravis] { return aravis->stats().lent; };
  setup.source = std::move(source);
  return setup;
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
    throw SettingError("--binning: expected NxM with N and M in 1.." + std::to_string(kMaxBinning) +
                       ", got '" + text + "'");
  }
  return {static_cast<std::uint16_t>(bx), static_cast<std::uint16_t>(by)};
}

Roi parse_roi(const std::vector<std::uint32_t>& values) {
  if (values.empty()) return {};
  if (values.size() != 4) {
    throw SettingError("--roi: expected x,y,width,height (4 numbers), got " +
                       std::to_string(values.size()));
  }
  return {values[0], values[1], values[2], values[3]};
}

CameraSetup make_camera(const CameraSettings& options) {
  try {
    const CameraSpec spec = parse_camera(options.camera);
#ifdef DAQ_HAVE_PVCAM
    if (spec.driver == "pvcam") return make_pvcam(options, spec);
#endif
#ifdef DAQ_HAVE_ARAVIS
    if (spec.driver == "aravis") return make_aravis(options, spec);
#endif
    return make_sim(options, spec);  // parse_camera() accepts only this build's drivers
  } catch (const SettingError&) {
    throw;
  } catch (const ConfigError& e) {
    throw ConfigError(with_flag_names(e.what()));
  }
}

}  // namespace daq::acquisition
