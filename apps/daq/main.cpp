// daq — the command-line tool: acquire, check, cameras, inspect, recover, bench, serve, ctl.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "daq/pipeline/frame_source.hpp"
#include "exit_codes.hpp"
#include "spdlog_sink.hpp"
#include "typo_hint.hpp"

int main(int argc, char** argv) {
  using namespace daq::cli;
  // Named: otherwise CLI11 takes argv[0], and help shows the build path as the program.
  CLI::App app{"daq: zero-allocation frame acquisition for scientific cameras", "daq"};
  app.require_subcommand(1, 1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Debug logging");

  std::vector<Command> commands = {add_acquire_command(app), add_check_command(app),
                                   add_cameras_command(app), add_inspect_command(app),
                                   add_recover_command(app), add_bench_command(app)};
#if DAQ_HAVE_STREAM
  commands.push_back(add_receive_command(app));
#endif
#ifdef DAQ_HAVE_SERVICE
  commands.push_back(add_serve_command(app));
  commands.push_back(add_ctl_command(app));
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const std::optional<std::string> unknown = unknown_word_error(app);
    if (unknown) {
      std::fprintf(stderr, "%s\n", unknown->c_str());
    } else {
      std::fprintf(stderr, "daq: error: %s\n", e.what());
    }
    return kExitUsage;
  }

  ScopedSpdlogSink sink(verbose);
  for (const Command& command : commands) {
    if (!command.app->parsed()) continue;
    try {
      return command.run();
    } catch (const UsageError& e) {
      std::fprintf(stderr, "daq %s: error: %s\n", command.app->get_name().c_str(), e.what());
      return kExitUsage;
    } catch (const daq::ConfigError& e) {
      std::fprintf(stderr, "daq %s: error: %s\n", command.app->get_name().c_str(), e.what());
      return kExitUsage;
    } catch (const Interrupted& e) {
      std::fprintf(stderr, "daq %s: %s\n", command.app->get_name().c_str(), e.what());
      return kExitInterrupted;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "daq %s: failed: %s\n", command.app->get_name().c_str(), e.what());
      return kExitFailure;
    }
  }
  return kExitUsage;
}
