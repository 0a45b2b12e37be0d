// configure_camera(): applies an AravisConfig to an open camera, checking each value against
// the camera's own limits first so that errors name the field and the limit.
#include "aravis_device.hpp"

#include <arv.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "daq/pool/log.hpp"

namespace daq::camera::aravis_detail {
namespace {

[[noreturn]] void reject(const std::string& message) {
  throw ConfigError("aravis: " + message);
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Throws SourceError when an Aravis call reported an error.
void check(ErrorSlot& error, const std::string& what) {
  if (error) throw SourceError("aravis: " + what + " failed: " + error.take());
}

const char* genicam_name(AravisPixelFormat format) {
  switch (format) {
    case AravisPixelFormat::mono8:
      return "Mono8";
    case AravisPixelFormat::mono12:
      return "Mono12";
    case AravisPixelFormat::mono16:
      return "Mono16";
  }
  return "Mono8";
}

std::uint32_t bit_depth_of(AravisPixelFormat format) {
  switch (format) {
    case AravisPixelFormat::mono8:
      return 8;
    case AravisPixelFormat::mono12:
      return 12;  // unpacked: 12 bits in a 16-bit container
    case AravisPixelFormat::mono16:
      return 16;
  }
  return 8;
}

void apply_pixel_format(ArvCamera* camera, AravisPixelFormat format) {
  ErrorSlot error;
  guint n = 0;
  GFreePtr<const char*> names(
      arv_camera_dup_available_pixel_formats_as_strings(camera, &n, error.out()));
  check(error, "reading the pixel formats");
  const std::string wanted = genicam_name(format);
  std::string offered;
  bool found = false;
  for (guint i = 0; i < n; ++i) {
    const std::string name = names.get()[i] != nullptr ? names.get()[i] : "";
    found = found || name == wanted;
    offered += (i == 0 ? "" : ", ") + name;
  }
  if (!found) {
    reject("pixel_format " + wanted + " is not offered by this camera (offers: " + offered + ")");
  }
  arv_camera_set_pixel_format_from_string(camera, wanted.c_str(), error.out());
  check(error, "setting pixel_format " + wanted);
}

void apply_binning(ArvCamera* camera, const Binning& binning) {
  ErrorSlot error;
  const bool available = arv_camera_is_binning_available(camera, error.out());
  check(error, "querying binning");
  if (!available) reject("binning is not offered by this camera");
  gint min_x = 0, max_x = 0, min_y = 0, max_y = 0;
  arv_camera_get_x_binning_bounds(camera, &min_x, &max_x, error.out());
  check(error, "reading the binning limits");
  arv_camera_get_y_binning_bounds(camera, &min_y, &max_y, error.out());
  check(error, "reading the binning limits");
  if (binning.x < min_x || binning.x > max_x) {
    reject("binning.x = " + std::to_string(binning.x) + " is outside the camera's range " +
           std::to_string(min_x) + ".." + std::to_string(max_x));
  }
  if (binning.y < min_y || binning.y > max_y) {
    reject("binning.y = " + std::to_string(binning.y) + " is outside the camera's range " +
           std::to_string(min_y) + ".." + std::to_string(max_y));
  }
  arv_camera_set_binning(camera, binning.x, binning.y, error.out());
  check(error, "setting binning");
}

// `wanted` is in sensor pixels, as for every driver (camera_config.hpp); GenICam's OffsetX/Y,
// Width and Height count binned pixels, so the region sent is the ROI divided by the binning.
void apply_roi(ArvCamera* camera, const Roi& wanted, const Binning& binning) {
  ErrorSlot error;
  gint sensor_w = 0, sensor_h = 0;
  arv_camera_get_sensor_size(camera, &sensor_w, &sensor_h, error.out());
  check(error, "reading the sensor size");
  const Geometry g = resolve_geometry(static_cast<std::uint32_t>(sensor_w),
                                      static_cast<std::uint32_t>(sensor_h), wanted, binning);
  if (g.roi.x % binning.x != 0 || g.roi.y % binning.y != 0) {
    reject("roi.x " + std::to_string(g.roi.x) + " and roi.y " + std::to_string(g.roi.y) +
           " must be multiples of the binning " + std::to_string(binning.x) + "x" +
           std::to_string(binning.y));
  }
  arv_camera_set_region(camera, 0, 0, -1, -1, error.out());  // offsets 0: widest limits
  check(error, "resetting the region offsets");
  gint min_w = 0, max_w = 0, min_h = 0, max_h = 0;
  arv_camera_get_width_bounds(camera, &min_w, &max_w, error.out());
  check(error, "reading the width limits");
  arv_camera_get_height_bounds(camera, &min_h, &max_h, error.out());
  check(error, "reading the height limits");
  if (g.width < static_cast<std::uint32_t>(min_w) || g.height < static_cast<std::uint32_t>(min_h)) {
    reject("roi: the image " + std::to_string(g.width) + "x" + std::to_string(g.height) +
           " is below the camera's minimum " + std::to_string(min_w) + "x" + std::to_string(min_h));
  }
  const gint w_step = arv_camera_get_width_increment(camera, nullptr);
  const gint h_step = arv_camera_get_height_increment(camera, nullptr);
  if (w_step > 1 && g.width % static_cast<std::uint32_t>(w_step) != 0) {
    reject("roi.width / binning.x = " + std::to_string(g.width) + " must be a multiple of " +
           std::to_string(w_step));
  }
  if (h_step > 1 && g.height % static_cast<std::uint32_t>(h_step) != 0) {
    reject("roi.height / binning.y = " + std::to_string(g.height) + " must be a multiple of " +
           std::to_string(h_step));
  }
  arv_camera_set_region(camera, static_cast<gint>(g.roi.x / binning.x),
                        static_cast<gint>(g.roi.y / binning.y), static_cast<gint>(g.width),
                        static_cast<gint>(g.height), error.out());
  check(error, "setting the region");
}

// The camera's binning ({1, 1} when it has none).
Binning current_binning(ArvCamera* camera) {
  if (!arv_camera_is_binning_available(camera, nullptr)) return Binning{};
  ErrorSlot error;
  gint bx = 1, by = 1;
  arv_camera_get_binning(camera, &bx, &by, error.out());
  check(error, "reading the binning");
  return Binning{static_cast<std::uint16_t>(bx), static_cast<std::uint16_t>(by)};
}

// Bounds-checked float setting: exposure, gain, frame rate.
template <class Bounds, class Set>
void apply_float(ArvCamera* camera, const char* field, const char* unit, double value,
                 Bounds bounds, Set set) {
  ErrorSlot error;
  double lo = 0.0, hi = 0.0;
  bounds(camera, &lo, &hi, error.out());
  check(error, std::string("reading the limits of ") + field);
  if (value < lo) {
    reject(std::string(field) + " = " + number(value) + " is below the camera's minimum " +
           number(lo) + unit);
  }
  if (value > hi) {
    reject(std::string(field) + " = " + number(value) + " exceeds the camera's maximum " +
           number(hi) + unit);
  }
  set(camera, value, error.out());
  check(error, std::string("setting ") + field);
}

void apply_trigger(ArvCamera* camera, AravisTrigger trigger) {
  ErrorSlot error;
  if (trigger == AravisTrigger::free_run) {
    arv_camera_clear_triggers(camera, error.out());
    check(error, "switching triggers off");
    return;
  }
  const bool supported = arv_camera_is_software_trigger_supported(camera, error.out());
  check(error, "querying the software trigger");
  if (!supported) reject("trigger = software is not offered by this camera");
  arv_camera_set_trigger(camera, "Software", error.out());
  check(error, "setting trigger = software");
}

// Socket buffers smaller than a frame lose GigE Vision frames at high packet rates.
void warn_about_socket_buffer(std::size_t payload) {
  std::ifstream file("/proc/sys/net/core/rmem_max");
  std::size_t rmem_max = 0;
  if (file >> rmem_max && rmem_max < payload) {
    log(LogLevel::warn,
        "aravis: a frame (%zu bytes) is larger than net.core.rmem_max (%zu bytes): expect lost "
        "frames at high rates (sysctl -w net.core.rmem_max=%zu)",
        payload, rmem_max, payload * 2);
  }
}

}  // namespace

CameraSettings configure_camera(ArvCamera* camera, const AravisConfig& config) {
  ErrorSlot error;
  CameraSettings s;
  s.applied = config;
  s.gige = arv_camera_is_gv_device(camera);
  s.frame_id_period = arv_camera_is_uv_device(camera) ? 0 : 65535;
  const char* device_id = arv_camera_get_device_id(camera, nullptr);
  s.device_id = device_id != nullptr ? device_id : "";

  arv_camera_set_acquisition_mode(camera, ARV_ACQUISITION_MODE_CONTINUOUS, error.out());
  check(error, "setting continuous acquisition");
  apply_pixel_format(camera, config.pixel_format);
  if (config.binning) apply_binning(camera, *config.binning);
  if (config.roi) apply_roi(camera, *config.roi, current_binning(camera));
  apply_trigger(camera, config.trigger);
  if (config.exposure_us) {
    apply_float(camera, "exposure_us", " us", *config.exposure_us,
                arv_camera_get_exposure_time_bounds, arv_camera_set_exposure_time);
  }
  if (config.gain_db) {
    apply_float(camera, "gain_db", " dB", *config.gain_db, arv_camera_get_gain_bounds,
                arv_camera_set_gain);
  }
  if (config.frame_rate_hz) {
    apply_float(camera, "frame_rate_hz", " Hz", *config.frame_rate_hz,
                arv_camera_get_frame_rate_bounds, arv_camera_set_frame_rate);
  }
  if (config.packet_size != 0) {
    if (!s.gige) reject("packet_size applies to GigE Vision cameras only");
    arv_camera_gv_set_packet_size(camera, static_cast<gint>(config.packet_size), error.out());
    check(error, "setting packet_size " + std::to_string(config.packet_size));
  }

  // Read back what the camera took; the ROI in sensor pixels.
  const Binning binning = current_binning(camera);
  if (arv_camera_is_binning_available(camera, nullptr)) s.applied.binning = binning;
  gint x = 0, y = 0, w = 0, h = 0;
  arv_camera_get_region(camera, &x, &y, &w, &h, error.out());
  check(error, "reading the region");
  s.applied.roi =
      Roi{static_cast<std::uint32_t>(x) * binning.x, static_cast<std::uint32_t>(y) * binning.y,
          static_cast<std::uint32_t>(w) * binning.x, static_cast<std::uint32_t>(h) * binning.y};
  s.applied.exposure_us = arv_camera_get_exposure_time(camera, error.out());
  check(error, "reading the exposure time");
  if (arv_camera_is_gain_available(camera, nullptr)) {
    s.applied.gain_db = arv_camera_get_gain(camera, error.out());
    check(error, "reading the gain");
  }
  if (config.trigger == AravisTrigger::free_run &&
      arv_camera_is_frame_rate_available(camera, nullptr)) {
    s.applied.frame_rate_hz = arv_camera_get_frame_rate(camera, error.out());
    check(error, "reading the frame rate");
  }
  if (s.gige) s.applied.packet_size = arv_camera_gv_get_packet_size(camera, nullptr);
  s.payload = arv_camera_get_payload(camera, error.out());
  check(error, "reading the payload size");

  s.format.width = static_cast<std::uint32_t>(w);
  s.format.height = static_cast<std::uint32_t>(h);
  s.format.bit_depth = bit_depth_of(config.pixel_format);
  s.format.frame_bytes =
      std::size_t{s.format.width} * s.format.height * bytes_per_pixel(s.format.bit_depth);
  s.format.frames_per_second = s.applied.frame_rate_hz.value_or(0.0);
  s.format.frame_count = config.frame_count;
  gint sensor_w = 0, sensor_h = 0;
  arv_camera_get_sensor_size(camera, &sensor_w, &sensor_h, error.out());
  check(error, "reading the sensor size");
  s.format.sensor_width = static_cast<std::uint32_t>(sensor_w);
  s.format.sensor_height = static_cast<std::uint32_t>(sensor_h);
  if (s.format.frame_bytes == 0) {
    reject("the camera reports an empty image (" + std::to_string(w) + "x" + std::to_string(h) +
           ")");
  }
  if (s.payload < s.format.frame_bytes) {
    throw SourceError("aravis: the camera's payload (" + std::to_string(s.payload) +
                      " bytes) is smaller than one image (" + std::to_string(s.format.frame_bytes) +
                      " bytes)");
  }
  if (s.payload > config.memory_budget_bytes / config.stream_buffers) {
    reject("stream_buffers x payload = " + std::to_string(config.stream_buffers) + " x " +
           std::to_string(s.payload) + " bytes exceeds memory_budget_bytes " +
           std::to_string(config.memory_budget_bytes));
  }
  if (s.gige) warn_about_socket_buffer(s.payload);
  return s;
}

}  // namespace daq::camera::aravis_detail
