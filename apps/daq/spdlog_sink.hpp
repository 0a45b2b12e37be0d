// Connects the library's log seam (daq::LogSink) to spdlog for the command-line tool.
#pragma once

#include "daq/pool/log.hpp"

namespace daq::cli {

/// Installs an spdlog-backed sink for the lifetime of the object and restores the default
/// stderr sink on destruction. `verbose` lowers the level to debug.
class ScopedSpdlogSink {
 public:
  explicit ScopedSpdlogSink(bool verbose);
  ScopedSpdlogSink(const ScopedSpdlogSink&) = delete;
  ScopedSpdlogSink& operator=(const ScopedSpdlogSink&) = delete;
  ~ScopedSpdlogSink();
};

}  // namespace daq::cli
