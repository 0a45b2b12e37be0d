#include "acquire_options.hpp"

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

#include "config_file.hpp"
#include "daq/pool/alloc_counter.hpp"
#include "exit_codes.hpp"

namespace daq::cli {
namespace {

std::uint64_t thread_allocations() noexcept {
  return alloc_counter::this_thread().allocations;
}

/// ">= 0" with a readable message (CLI11's NonNegativeNumber prints the double range).
CLI::Validator non_negative() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value)) return "'" + text + "' is not a number";
        return value >= 0 ? std::string() : "must be 0 or more, got " + text;
      },
      "NUMBER >= 0");
}

/// Digits only: CLI11 would read "-1" into an unsigned option as its largest value.
// Digits only, and no more than a 64-bit count holds (CLI11 would otherwise wrap a larger
// number into an unsigned 64-bit option silently; narrower options it rejects itself).
CLI::Validator whole_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [stop, error] = std::from_chars(text.data(), end, value);
        const bool whole = !text.empty() && text.front() != '-' && text.front() != '+' &&
                           error == std::errc() && stop == end;
        return whole ? std::string()
                     : "must be a whole number 0.." +
                           std::to_string(std::numeric_limits<std::uint64_t>::max()) + ", got '" +
                           text + "'";
      },
      "");
}

}  // namespace

void add_acquire_options(CLI::App& app, AcquireOptions& options) {
  acquisition::CameraSettings& c = options.camera;
  app.add_option("--config", options.config,
                 "TOML file setting any of these options by long name, e.g. bit-depth = 12 "
                 "(flags on the command line win)")
      ->configurable(false);
  app.add_option("--camera", c.camera, "sim | pvcam[:NAME] | aravis[:ID] (see daq cameras)")
      ->capture_default_str();
  app.add_option("--frames", c.frames,
                 "Frames to acquire (default 100, or unlimited with --duration); 0 = until Ctrl-C")
      ->check(whole_number());
  app.add_option("--duration", options.duration_s, "Stop after this many seconds (0 = no limit)")
      ->check(non_negative());
  app.add_option("--width", c.width, "Sensor width, pixels (sim: 1..65535)")
      ->capture_default_str()
      ->check(whole_number());
  app.add_option("--height", c.height, "Sensor height, pixels (sim: 1..65535)")
      ->capture_default_str()
      ->check(whole_number());
  app.add_option("--bit-depth", c.bit_depth, "8, 12, 16 or 32 (real cameras: their own)")
      ->capture_default_str()
      ->check(whole_number());
  app.add_option("--pattern", c.pattern, "Simulated image: ramp | noise | realistic")
      ->capture_default_str();
  app.add_option("--fps", c.fps, "Frames per second (sim: 0..100000, 0 = free-running)")
      ->capture_default_str()
      ->check(non_negative());
  app.add_option("--exposure-ms", c.exposure_ms, "Exposure time, ms (at most the frame period)")
      ->check(non_negative());
  app.add_option("--roi", c.roi,
                 "Region of interest x,y,width,height inside the sensor (a width or height of 0 "
                 "reaches to the sensor's edge)")
      ->delimiter(',')
      ->expected(4)
      ->check(whole_number());
  app.add_option("--binning", c.binning, "Binning NxM, N and M in 1..64 dividing the ROI");
  app.add_option("--seed", c.seed, "Seed of the noise patterns")
      ->capture_default_str()
      ->check(whole_number());
  app.add_option("--pool-frames", options.pool_frames,
                 "Pre-allocated frames, 1..4096 (default 16; PVCAM: its buffer plan)")
      ->check(whole_number() & CLI::Range(std::size_t{1}, acquisition::kMaxPoolFrames));
  app.add_option("--compression", options.compression, "none | lz4 | blosc | bslz4 (HDF5 only)")
      ->capture_default_str();
  app.add_option("--aravis-buffers", c.aravis_buffers,
                 "Aravis cameras: copy | zero-copy (the camera writes into the pooled frame the "
                 "file is written from). Default: zero-copy without --compression, else copy");
  app.add_option("--out", options.out, "Output file: .h5 .hdf5 .nxs (HDF5) or .tif .tiff (TIFF)");
  app.add_option("--summary-json", options.summary_json, "Also write the summary as JSON here");
  app.add_flag("--overwrite", options.overwrite,
               "Replace existing output files (--out, --summary-json)");
  app.add_flag("--no-check", options.no_check,
               "Skip the capacity check before a run (see daq check)");
  app.add_flag("--require-check", options.require_check,
               "Do not start a run the capacity check says will not keep up (exit 3)");
  app.add_flag("--fail-on-loss", options.fail_on_loss,
               "Exit 3 when any frame was dropped or lost by the camera");
  acquisition::StreamSettings& s = options.stream;
  app.add_option("--stream", s.endpoint,
                 "Also send the frames as DECTRIS Stream V2 on a ZeroMQ PUSH socket bound here, "
                 "e.g. tcp://*:31001 (without --out: the only output)");
  app.add_option("--stream-compression", s.compression, "none | bslz4 | lz4")
      ->capture_default_str();
  app.add_option("--stream-hwm", s.hwm,
                 "Stream: images in flight at most; past it the stream drops (1..1024)")
      ->capture_default_str()
      ->check(whole_number() & CLI::Range(std::uint32_t{1}, acquisition::kMaxStreamHwm));
  app.add_option("--stream-start-timeout", s.start_timeout_s,
                 "Stream: seconds the start and end messages wait for a consumer")
      ->capture_default_str()
      ->check(non_negative() & CLI::Range(0.0, acquisition::kMaxStreamStartTimeoutS));
}

void apply_config_and_record_given(CLI::App& app, AcquireOptions& options,
                                   const std::function<bool()>& interrupted) {
  // The [acquire] table, also for `daq check` and `daq serve`, which take the same options.
  if (!options.config.empty()) {
    apply_config_file(app, options, options.config, "acquire", interrupted);
  }
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->count() > 0 && !opt->get_lnames().empty()) {
      options.camera.given.insert("--" + opt->get_lnames().front());
    }
  }
}

void finish_acquire_options(CLI::App& app, AcquireOptions& options,
                            const std::function<bool()>& interrupted) {
  apply_config_and_record_given(app, options, interrupted);
  acquisition::apply_defaults(options);
  if (options.out.empty() && !options.stream.enabled()) {
    throw UsageError(
        "--out is required (.h5, .hdf5, .nxs for HDF5; .tif, .tiff for TIFF) unless --stream "
        "is given");
  }
}

acquisition::InstrumentOptions acquire_instrument_options() noexcept {
  return {.thread_allocations = &thread_allocations};
}

}  // namespace daq::cli
