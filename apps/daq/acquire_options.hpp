// acquire_options.hpp — the options of `daq acquire`: registration on the CLI11 sub-app, the
// --config file, the defaults that depend on what was given, and the options of the Instrument
// it runs (which `daq check` needs too: they size the pool).
// Thread-safety: main thread only. Allocation: at start-up only.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "daq/acquisition/instrument.hpp"
#include "daq/acquisition/settings.hpp"

namespace daq::cli {

/// The series' settings (daq/acquisition/settings.hpp), plus what only the command line has.
struct AcquireOptions : acquisition::Settings {
  std::string config;  ///< --config FILE.toml
};

/// Registers every option of `app` to write into `options` (which must outlive `app`).
void add_acquire_options(CLI::App& app, AcquireOptions& options);

/// After parsing: applies --config (flags win) and records which flags were given (command line
/// or config file) in options.camera.given. Throws like finish_acquire_options().
void apply_config_and_record_given(CLI::App& app, AcquireOptions& options,
                                   const std::function<bool()>& interrupted);

/// After parsing: apply_config_and_record_given(), then fills in
/// the defaults that depend on them (--frames is 100 unless --duration is given). Throws
/// UsageError for a bad config file or a missing --out, Interrupted when `interrupted` says so
/// while the config file is read (see read_config_file()).
void finish_acquire_options(CLI::App& app, AcquireOptions& options,
                            const std::function<bool()>& interrupted);

/// The options of the Instrument `daq acquire` runs: the frame path's allocations counted, no
/// sharing taps of its own. `daq check` sizes the pool for them (tap_frames_held).
acquisition::InstrumentOptions acquire_instrument_options() noexcept;

}  // namespace daq::cli
