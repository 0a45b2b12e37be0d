#include "daq/pool/log.hpp"

#include <atomic>
#include <cstdio>

namespace daq {
namespace {

const char* level_name(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warning";
    case LogLevel::error:
      return "error";
  }
  return "?";
}

class StderrSink final : public LogSink {
 public:
  void write(LogLevel level, std::string_view line) noexcept override {
    std::fprintf(stderr, "daq %s: %.*s\n", level_name(level), static_cast<int>(line.size()),
                 line.data());
  }
};

StderrSink g_stderr_sink;
std::atomic<LogSink*> g_sink{&g_stderr_sink};
std::atomic<LogLevel> g_level{LogLevel::info};

}  // namespace

void set_log_sink(LogSink* sink) noexcept {
  g_sink.store(sink != nullptr ? sink : &g_stderr_sink, std::memory_order_release);
}

void set_log_level(LogLevel level) noexcept {
  g_level.store(level, std::memory_order_relaxed);
}

void log(LogLevel level, const char* format, ...) noexcept {
  if (level < g_level.load(std::memory_order_relaxed)) return;
  char buffer[512];
  va_list args;
  va_start(args, format);
  const int n = std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  if (n < 0) return;
  const auto len =
      static_cast<std::size_t>(n) < sizeof buffer ? static_cast<std::size_t>(n) : sizeof buffer - 1;
  g_sink.load(std::memory_order_acquire)->write(level, std::string_view(buffer, len));
}

}  // namespace daq
