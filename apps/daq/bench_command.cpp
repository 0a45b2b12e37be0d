// `daq bench`: measures, in one process and one run, the figures of the pool migration ADR —
// before vs after, the pool, the memcpy ceiling and latency, observers, the writer — and
// prints them as tables (stdout) with the machine, build and run count; --json writes every
// figure with stable keys. The sections live in apps/daq/bench/; comparisons with other
// libraries are bench/ (Google Benchmark), so this tool links none of them.
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>

#include "bench/measure.hpp"
#include "bench/report.hpp"
#include "bench/sections.hpp"
#include "command.hpp"
#include "daq/pool/log.hpp"
#include "exit_codes.hpp"

namespace daq::cli {
namespace {

struct BenchOptions {
  bool quick = false;
  int runs = 0;  // 0: 1 with --quick, else 3
  std::string json;
  std::string dir;
  double time_scale = 1.0;
};

void check_writable_dir(const std::filesystem::path& dir, const char* option) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw UsageError(std::string(option) + ": directory " + dir.string() + " does not exist");
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    throw UsageError(std::string(option) + ": directory " + dir.string() + " is not writable");
  }
}

// A fresh directory inside `parent`, removed with everything in it at scope exit.
class ScratchDir {
 public:
  explicit ScratchDir(const std::filesystem::path& parent) {
    std::string name = (parent / "daq-bench-XXXXXX").string();
    if (::mkdtemp(name.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(),
                              "cannot create a directory in " + parent.string());
    }
    path_ = name;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

// The library's info lines (stream started/ended, use_pool is off) would interleave with the
// progress and, through spdlog, allocate inside measuring windows: errors only while measuring.
class QuietLibraryLog {
 public:
  QuietLibraryLog() { set_log_level(LogLevel::error); }
  ~QuietLibraryLog() { set_log_level(LogLevel::info); }
  QuietLibraryLog(const QuietLibraryLog&) = delete;
  QuietLibraryLog& operator=(const QuietLibraryLog&) = delete;
};

int run_bench(const BenchOptions& o) {
  bench::Settings settings;
  settings.quick = o.quick;
  settings.runs = o.runs > 0 ? o.runs : (o.quick ? 1 : 3);
  settings.time_scale = o.time_scale;
  const std::filesystem::path parent =
      o.dir.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(o.dir);
  check_writable_dir(parent, "--dir");
  if (!o.json.empty()) {
    const std::filesystem::path json(o.json);
    check_writable_dir(json.has_parent_path() ? json.parent_path() : ".", "--json");
  }
  const ScratchDir scratch(parent);
  settings.dir = scratch.path();

  using Section = void (*)(const bench::Settings&, bench::Report&);
  struct Step {
    const char* name;
    Section run;
  };
  const Step steps[] = {
      {"before vs after", bench::bench_before_after},
      {"pool", bench::bench_pool},
      {"ceiling and latency", bench::bench_ceiling},
      {"observers", bench::bench_observers},
      {"writer", bench::bench_writer},
  };
  bench::Report report;
  bench::describe_machine(settings, report);
  const auto started = bench::Clock::now();
  {
    const QuietLibraryLog quiet;
    std::size_t index = 0;
    for (const Step& step : steps) {
      std::fprintf(stderr, "daq bench: [%zu/%zu] %s ...\n", ++index, std::size(steps), step.name);
      step.run(settings, report);
    }
  }
  report.info("run", "seconds", bench::seconds_between(started, bench::Clock::now()));
  report.print(std::cout);
  std::cout.flush();
  if (!o.json.empty()) {
    std::ofstream out(o.json);
    out << report.json();
    out.close();
    if (!out) throw std::runtime_error("cannot write " + o.json);
  }
  return kExitOk;
}

}  // namespace

Command add_bench_command(CLI::App& root) {
  auto options = std::make_shared<BenchOptions>();
  CLI::App* app = root.add_subcommand(
      "bench",
      "Measure the pipeline on this machine: before/after, pool, ceiling, observers, writer");
  app->add_flag("--quick", options->quick, "Short windows, 1 run (under a minute)");
  app->add_option("--json", options->json, "Also write every figure as JSON here");
  app->add_option("--dir", options->dir,
                  "Scratch directory of the writer section (default: "
                  "the system temp directory)");
  app->add_option("--runs", options->runs,
                  "Runs per figure, reported as the median "
                  "(default 3, 1 with --quick)")
      ->check(CLI::Range(1, 50));
  // Hidden: scales every window and count (the sanitizer test runs with a small scale).
  app->add_option("--time-scale", options->time_scale)->check(CLI::Range(0.01, 100.0))->group("");
  return {app, [options] { return run_bench(*options); }};
}

}  // namespace daq::cli
