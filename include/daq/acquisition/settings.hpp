// daq/acquisition/settings.hpp — the settings of one series, shared by every front end.
//
// `Settings` is what `daq acquire` flags, a TOML config file, and the service set: the camera
// (selection, geometry, timing, image) and the series (frames or duration, pool, compression,
// output). `set(settings, key, value)` sets one of them from text; the keys are the command-line
// flag names without dashes ("bit-depth", "pool-frames"; "bit_depth" works too) and the value is
// spelled as on the command line ("12", "0,0,64,64", "2x2", "true"). Setting a key records it as
// given: real cameras use their own value for anything not given and reject sim-only settings
// that were (camera_factory.hpp).
//
// Errors: ConfigError (daq/pipeline/frame_source.hpp) whose one line names the flag and the
// limit, e.g. "--pool-frames: must be 1..4096, got 0". Whole-settings checks that need the
// camera or the filesystem are make_camera() and make_output_writer() (output.hpp).
// Thread-safety: plain values and functions. Allocation: strings, at set-up only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace daq::acquisition {

/// The camera's settings.
struct CameraSettings {
  std::string camera = "sim";  ///< sim | pvcam[:NAME] | aravis[:ID]
  std::uint64_t frames = 100;  ///< 0 = continuous
  std::uint32_t width = 2048;
  std::uint32_t height = 2048;
  std::uint32_t bit_depth = 16;
  std::string pattern = "ramp";
  double fps = 100.0;  ///< 0 = free-running
  double exposure_ms = 0.0;
  std::vector<std::uint32_t> roi;  ///< empty or {x, y, w, h}
  std::string binning;             ///< empty or "NxM"
  std::uint64_t seed = 1;
  /// Aravis buffer mode (docs/adr/0007-aravis-buffer-modes.md): "copy" or "zero-copy".
  std::string aravis_buffers = "copy";
  /// The flags the user set (command line, config file, set()), e.g. "--width".
  std::set<std::string, std::less<>> given;

  bool was_given(std::string_view flag) const { return given.find(flag) != given.end(); }
  bool operator==(const CameraSettings&) const = default;
};

/// The series' Stream V2 stream (docs/adr/0011-stream-v2.md); off while endpoint is empty.
struct StreamSettings {
  std::string endpoint;              ///< --stream, e.g. "tcp://*:31001"
  std::string compression = "none";  ///< --stream-compression: none | bslz4 | lz4
  std::uint32_t hwm = 8;             ///< --stream-hwm: images in flight at most (1..1024)
  double start_timeout_s = 5.0;      ///< --stream-start-timeout: wait for a consumer, s
  bool enabled() const noexcept { return !endpoint.empty(); }
};

/// One series: the camera, how long, and where the frames go.
struct Settings {
  CameraSettings camera;
  double duration_s = 0.0;       ///< 0 = no time limit
  std::size_t pool_frames = 16;  ///< used unless the driver plans its buffers (not given)
  std::string compression = "none";
  std::string out;
  std::string summary_json;  ///< also write the summary as JSON here; empty: no
  bool overwrite = false;
  /// The capacity check before a run (docs/adr/0013-capacity-check.md): skipped with no_check;
  /// with require_check a run that does not fit is not started.
  bool no_check = false;
  bool require_check = false;
  bool fail_on_loss = false;  ///< a run that dropped or lost any frame is a failure
  StreamSettings stream;  ///< a stream beside the file, or instead of it when out is empty

  /// Whether the series has a file writer: always, unless a --stream without --out is its only
  /// output (without either, the writer's checks name the missing --out).
  bool writes_file() const noexcept { return !out.empty() || !stream.enabled(); }
};

/// The largest --pool-frames.
inline constexpr std::size_t kMaxPoolFrames = 4096;

/// The largest --stream-hwm and --stream-start-timeout (s).
inline constexpr std::uint32_t kMaxStreamHwm = 1024;
inline constexpr double kMaxStreamStartTimeoutS = 3600.0;

/// The keys set() takes, in the command line's order ("camera", "frames", ...).
const std::vector<std::string_view>& setting_keys();

/// Sets the setting `key` from `value` and records it as given. Throws ConfigError naming the
/// flag: an unknown key (listing the keys), a value that is not of the setting's type or is
/// outside its limit.
void set(Settings& settings, std::string_view key, std::string_view value);

/// The defaults that depend on what was given, applied once all settings are set: frames is
/// 100 unless a duration is given (then 0); Aravis buffers are zero-copy unless the writer
/// compresses (docs/adr/0007-aravis-buffer-modes.md).
void apply_defaults(Settings& settings);

}  // namespace daq::acquisition
