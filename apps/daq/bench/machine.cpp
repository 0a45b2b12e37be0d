// The header of the report: the machine, the build and the run. The build facts come from
// CMake as compile definitions (apps/daq/bench/bench.cmake).
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

#include "sections.hpp"

#ifndef DAQ_BENCH_COMPILER
#error "DAQ_BENCH_COMPILER must come from CMake (apps/daq/bench/bench.cmake)"
#endif

namespace daq::cli::bench {
namespace {

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) break;
    const std::size_t first = line.find_first_not_of(" \t", colon + 1);
    return first == std::string::npos ? std::string() : line.substr(first);
  }
  return "unknown";
}

std::string kernel() {
  utsname name{};
  if (::uname(&name) != 0) return "unknown";
  return std::string(name.sysname) + " " + name.release + " " + name.machine;
}

double memory_gib() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return 0.0;
  return static_cast<double>(pages) * static_cast<double>(page_size) / (1024.0 * 1024.0 * 1024.0);
}

}  // namespace

void describe_machine(const Settings& settings, Report& report) {
  report.info("machine", "cpu", cpu_model());
  report.info("machine", "cores", static_cast<double>(std::thread::hardware_concurrency()));
  report.info("machine", "memory_gib", static_cast<double>(static_cast<long>(memory_gib() * 10)) / 10);
  report.info("machine", "kernel", kernel());
  report.info("build", "compiler", DAQ_BENCH_COMPILER);
  report.info("build", "build_type", DAQ_BENCH_BUILD_TYPE);
  const std::string sanitizers = DAQ_BENCH_SANITIZE;
  report.info("build", "sanitizers", sanitizers.empty() ? "none" : sanitizers);
  report.info("build", "flags", DAQ_BENCH_CXX_FLAGS);
  report.info("run", "mode", settings.quick ? "quick" : "full");
  report.info("run", "runs", static_cast<double>(settings.runs));
  report.info("run", "statistic", "median of runs");
}

}  // namespace daq::cli::bench
