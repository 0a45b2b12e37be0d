// `daq check`: will this machine keep up with this run? Takes the flags of `daq acquire` (the
// same definitions, config file and validation), measures this machine and the target directory
// with the capacity probes, and prints the verdict (docs/adr/0013-capacity-check.md): a table
// of required against available per resource, the bottleneck, the sustainable rate, and one line
// for people. --out is the directory the run would write into, or the file it would create (its
// directory is probed; nothing is created there but the probe's unlinked file).
//
// Exit: 0 when the run fits with the 1.2× headroom, 3 when it does not, 2 for bad input (one
// line, nothing written), 130 when a stop signal came during the check (--json is not written;
// the probe file is unlinked from its creation, so nothing stays behind).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "acquire_options.hpp"
#include "capacity_table.hpp"
#include "command.hpp"
#include "daq/acquisition/capacity_check.hpp"
#include "exit_codes.hpp"
#include "spdlog_sink.hpp"
#include "stop_signal.hpp"

namespace daq::cli {
namespace {

namespace fs = std::filesystem;

struct CheckOptions : AcquireOptions {
  bool quick = false;
  std::string json;  ///< --json FILE
};

/// The directory --out names: itself, or the one the file would be created in.
fs::path target_directory(const std::string& out) {
  std::error_code ec;
  if (fs::is_directory(out, ec)) return out;
  fs::path directory = fs::path(out).parent_path();
  if (directory.empty()) directory = ".";
  if (!fs::is_directory(directory, ec)) {
    throw UsageError("--out: " + directory.string() + " is not a directory");
  }
  return directory;
}

void check_json_path(const std::string& json) {
  if (json.empty()) return;
  fs::path directory = fs::path(json).parent_path();
  if (directory.empty()) directory = ".";
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    throw UsageError("--json: cannot write " + json + ": " + directory.string() +
                     " is not a directory");
  }
  if (fs::is_directory(json, ec)) throw UsageError("--json: " + json + " is a directory");
}

/// "" on success, else one line naming --json and errno's reason.
std::string write_json(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::trunc);
  if (file) file << text << '\n';
  file.flush();
  if (!file) return "--json: cannot write " + path + ": " + std::strerror(errno);
  return {};
}

int run_check(const CheckOptions& o, const StopSignal& stop_signal) {
  const fs::path directory = target_directory(o.out);
  check_json_path(o.json);
  const auto mode = o.quick ? acquisition::ProbeMode::quick : acquisition::ProbeMode::normal;
  const auto start = std::chrono::steady_clock::now();
  const acquisition::CapacityCheck check = [&] {
    const QuietLogLines quiet;  // the probe's own simulated camera describing itself
    return acquisition::check_capacity(o, directory, mode,
                                       acquire_instrument_options().tap_frames_held);
  }();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  if (stop_signal.requested()) {
    std::fprintf(stderr, "daq check: interrupted; nothing written\n");
    return kExitInterrupted;
  }
  const acquisition::CapacityVerdict& verdict = check.verdict;
  std::printf("daq check: %s, %.6g fps into %s (%s probes, %.1f s)\n", o.camera.camera.c_str(),
              verdict.run.fps, directory.c_str(), o.quick ? "quick" : "normal", took.count());
  std::fputs(capacity_table(verdict).c_str(), stdout);
  if (!check.camera_note.empty()) std::printf("camera: %s\n", check.camera_note.c_str());
  std::printf("%s %s\n", verdict.fits ? "fits:" : "does not fit:",
              acquisition::capacity_text(verdict).c_str());
  std::fflush(stdout);
  if (!o.json.empty()) {
    if (const std::string error = write_json(o.json, acquisition::capacity_json(verdict));
        !error.empty()) {
      std::fprintf(stderr, "daq check: failed: %s\n", error.c_str());
      return kExitFailure;
    }
  }
  return verdict.fits ? kExitOk : kExitCapacity;
}

}  // namespace

Command add_check_command(CLI::App& root) {
  auto options = std::make_shared<CheckOptions>();
  options->out = ".";
  CLI::App* app = root.add_subcommand(
      "check", "Measure whether this machine sustains a run (the flags of daq acquire)");
  add_acquire_options(*app, *options);
  app->get_option("--out")->description(
      "The directory the run writes into, or its output file (default: the current directory)");
  app->add_flag("--quick", options->quick, "Shorter probes (under 3 s in all)");
  app->add_option("--json", options->json, "Also write the verdict as JSON here");
  return {app, [options, app] {
            const StopSignal stop_signal;
            finish_acquire_options(*app, *options, [&] { return stop_signal.requested(); });
            return run_check(*options, stop_signal);
          }};
}

}  // namespace daq::cli
