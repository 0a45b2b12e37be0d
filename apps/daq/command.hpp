// One subcommand of the daq tool: its CLI11 sub-app and what runs when it was chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace daq::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;  ///< returns the exit status; throws UsageError for bad input
};

// Each add_* registers its options on `root` and is defined in <name>_command.cpp.
Command add_acquire_command(CLI::App& root);
Command add_cameras_command(CLI::App& root);
Command add_inspect_command(CLI::App& root);
Command add_recover_command(CLI::App& root);
Command add_bench_command(CLI::App& root);
Command add_check_command(CLI::App& root);
#ifdef DAQ_HAVE_SERVICE
Command add_serve_command(CLI::App& root);
Command add_ctl_command(CLI::App& root);
#endif
#if DAQ_HAVE_STREAM
Command add_receive_command(CLI::App& root);
#endif

}  // namespace daq::cli
