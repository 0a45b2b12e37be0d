// `daq acquire`: one series of daq::acquisition::Instrument (camera → pooled frames → file
// writer, with an allocation probe), with a live progress line and the summary printed.
//
// Order: everything that can reject the input (flags, config file, output paths, camera
// configuration) is checked by Instrument::prepare() before the output file is created; then
// Instrument::run() opens the file and runs. Log lines of the checks (a camera describing
// itself) are held back until they pass, so bad input prints exactly one line. The stop signals
// are handled from before the config file is read; one ends the series gracefully
// (Instrument::stop()). In every case the file is finished, the live line is finished, and the
// summary is printed.
//
// The capacity check (docs/adr/0013-capacity-check.md): after the input passed and before the file
// is created, a run of the simulated camera at a known rate (fps > 0) is checked with the quick
// probes: one warning line when it will not keep up, naming the bottleneck and the sustainable
// rate; with --require-check such a run is not started (exit 3). --no-check skips it. Hardware
// cameras are not checked here (the check would open the camera a second time): `daq check`
// does. With --fail-on-loss a run that dropped or lost a frame exits 3.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "acquire_options.hpp"
#include "command.hpp"
#include "daq/acquisition/capacity_check.hpp"
#include "daq/acquisition/instrument.hpp"
#include "daq/acquisition/output.hpp"
#include "exit_codes.hpp"
#include "progress.hpp"
#include "spdlog_sink.hpp"
#include "stop_signal.hpp"
#include "summary_text.hpp"

namespace daq::cli {
namespace {

/// Runs `prepare` while `held` holds the log lines back: bad input drops them (its error is the
/// one line printed), any other failure prints them first, for context.
template <class F>
void check_input(HeldLogLines& held, F&& prepare) {
  try {
    prepare();
  } catch (const std::invalid_argument&) {  // ConfigError is one
    throw;
  } catch (...) {
    held.release();
    throw;
  }
}

/// The quick capacity check of a run the settings allow it for; empty when skipped. A check
/// that cannot measure is reported and, unless --require-check, not in the way of the run.
/// A stream-only run (no --out) is not checked: the model is about the disk a file goes to.
std::optional<acquisition::CapacityVerdict> check_before_run(
    const AcquireOptions& o, const acquisition::InstrumentOptions& instrument) {
  if (o.no_check || o.out.empty() || !(o.camera.fps > 0) || !acquisition::is_sim_camera(o)) {
    return std::nullopt;
  }
  std::filesystem::path directory = std::filesystem::path(o.out).parent_path();
  if (directory.empty()) directory = ".";
  try {
    return acquisition::check_capacity(o, directory, acquisition::ProbeMode::quick,
                                       instrument.tap_frames_held)
        .verdict;
  } catch (const std::exception& e) {
    if (o.require_check) throw;
    std::fprintf(stderr, "daq acquire: warning: the capacity check failed: %s\n", e.what());
    return std::nullopt;
  }
}

std::string fps_text(double fps) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f", std::floor(fps));
  return text;
}

int run_acquire(const AcquireOptions& o, const StopSignal& stop_signal) {
  const acquisition::InstrumentOptions instrument_options = acquire_instrument_options();
  acquisition::Instrument instrument(instrument_options);
  std::optional<acquisition::CapacityVerdict> verdict;
  {
    HeldLogLines held_logs;
    check_input(held_logs, [&] { instrument.prepare(o); });
    {
      const QuietLogLines quiet;  // the probe's own simulated camera describing itself
      verdict = check_before_run(o, instrument_options);
    }
    if (verdict && !verdict->fits) {
      const std::string_view bottleneck = acquisition::to_string(verdict->bottleneck);
      std::fprintf(stderr,
                   "daq acquire: %s: this run will not keep up: bottleneck %.*s, sustainable ≈ %s "
                   "of %s fps (daq check for details)\n",
                   o.require_check ? "error" : "warning", static_cast<int>(bottleneck.size()),
                   bottleneck.data(), fps_text(verdict->sustainable_fps).c_str(),
                   fps_text(verdict->run.fps).c_str());
      if (o.require_check) {
        std::fprintf(stderr, "daq acquire: not started (--require-check); %s was not created\n",
                     o.out.c_str());
        return kExitCapacity;
      }
    }
    if (stop_signal.requested()) {
      std::fprintf(stderr, "daq acquire: interrupted before %s was created\n",
                   o.out.empty() ? o.stream.endpoint.c_str() : o.out.c_str());
      return kExitInterrupted;
    }
    check_input(held_logs, [&] { instrument.open(); });
    held_logs.release();
  }
  ProgressDisplay progress(stderr, ::isatty(::fileno(stderr)) != 0);
  const acquisition::Summary summary = instrument.run([&](const acquisition::Status& status) {
    if (stop_signal.requested()) instrument.stop();
    progress.update(status);
  });
  progress.finish(instrument.status());
  print_summary(std::cout, summary);
  const std::uint64_t lost = summary.frames_dropped + summary.lost_hw_frames;
  if (lost > 0 && verdict) {
    std::cout << "bottleneck measured before the run: "
              << acquisition::to_string(verdict->bottleneck) << " (sustainable ≈ "
              << fps_text(verdict->sustainable_fps) << " fps)\n";
  }
  std::cout.flush();
  const std::string json_error =
      o.summary_json.empty()
          ? std::string()
          : acquisition::write_summary_file(o.summary_json, summary_json(summary), o.out);
  if (!json_error.empty()) std::fprintf(stderr, "daq acquire: failed: %s\n", json_error.c_str());
  if (!summary.error.empty()) {
    std::fprintf(stderr, "daq acquire: failed: %s\n", summary.error.c_str());
    return kExitFailure;
  }
  if (!json_error.empty()) return kExitFailure;
  if (o.fail_on_loss && lost > 0) {
    std::fprintf(stderr,
                 "daq acquire: %llu frames dropped, %llu lost by the camera (--fail-on-loss)\n",
                 static_cast<unsigned long long>(summary.frames_dropped),
                 static_cast<unsigned long long>(summary.lost_hw_frames));
    return kExitCapacity;
  }
  return summary.interrupted ? kExitInterrupted : kExitOk;
}

}  // namespace

Command add_acquire_command(CLI::App& root) {
  auto options = std::make_shared<AcquireOptions>();
  CLI::App* app = root.add_subcommand("acquire", "Acquire frames from a camera into a file");
  add_acquire_options(*app, *options);
  return {app, [options, app] {
            // From here on a stop signal ends the command cleanly, also while --config is read.
            const StopSignal stop_signal;
            finish_acquire_options(*app, *options, [&] { return stop_signal.requested(); });
            return run_acquire(*options, stop_signal);
          }};
}

}  // namespace daq::cli
