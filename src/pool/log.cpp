#include "daq/pool/log.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <thread>

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

// Which log() calls may still be inside a sink, so that set_log_sink() can wait them out.
// A log() call counts itself in g_writing[the epoch's parity] before it loads the sink and
// uncounts itself after write(); set_log_sink() stores the new sink, then twice flips the epoch
// and waits for the counter of the parity it left to reach 0. Every call that loaded the old
// sink counted itself before the store (all seq_cst: one total order), in either parity, so it
// is waited for; calls arriving meanwhile count in the other parity, so a stream of logging
// cannot keep the wait from ending. log() itself never waits.
std::atomic<std::uint32_t> g_epoch{0};
std::array<std::atomic<std::uint32_t>, 2> g_writing{};
std::mutex g_setter;  // set_log_sink() calls one at a time

}  // namespace

void set_log_sink(LogSink* sink) noexcept {
  const std::lock_guard lock(g_setter);
  g_sink.store(sink != nullptr ? sink : &g_stderr_sink, std::memory_order_seq_cst);
  for (int flip = 0; flip < 2; ++flip) {
    const std::uint32_t left = g_epoch.fetch_add(1, std::memory_order_seq_cst) & 1;
    // seq_cst: after the store in the total order (see g_writing); reading 0 also synchronises
    // with the release decrements, so the old sink's writes happen before we return.
    while (g_writing[left].load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
  }
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
  auto& writing = g_writing[g_epoch.load(std::memory_order_seq_cst) & 1];
  writing.fetch_add(1, std::memory_order_seq_cst);  // before the sink load (see g_writing)
  g_sink.load(std::memory_order_seq_cst)->write(level, std::string_view(buffer, len));
  writing.fetch_sub(1, std::memory_order_release);
}

}  // namespace daq
