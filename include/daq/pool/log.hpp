// daq/pool/log.hpp — the one logging seam of layers 0-1.
//
// Layers 0 and 1 use the standard library only, so they never call a logging library directly:
// they format into a stack buffer and hand the line to the installed LogSink. Applications
// connect the sink to spdlog (or anything else); the default sink writes to stderr.
//
// Thread-safety: set_log_sink() and log() may be called from any thread. The sink must be
//   thread-safe and must stay alive until another sink replaces it (the pointer is not owned).
//   When set_log_sink() returns, no thread is inside the old sink's write() any more, and no
//   later log() call reaches it, so the old sink may be destroyed: set_log_sink() waits for the
//   writes in progress (yielding), log() never waits. Calling set_log_sink() from inside a
//   sink's write() therefore deadlocks; don't.
// Allocation: log() formats into a fixed 512-byte stack buffer (longer lines are truncated) and
//   allocates nothing itself; what the sink does is the sink's business.
#pragma once

#include <cstdarg>
#include <string_view>

namespace daq {

enum class LogLevel { debug, info, warn, error };

class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void write(LogLevel level, std::string_view line) noexcept = 0;
};

/// Installs `sink` (not owned); nullptr restores the default stderr sink. Returns once no
/// thread is writing to the previous sink.
void set_log_sink(LogSink* sink) noexcept;

/// Lines below `level` are discarded before formatting. Default: info.
void set_log_level(LogLevel level) noexcept;

/// printf-style formatting into a stack buffer, then one call to the sink.
void log(LogLevel level, const char* format, ...) noexcept __attribute__((format(printf, 2, 3)));

}  // namespace daq
