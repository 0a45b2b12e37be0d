#include "spdlog_sink.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace daq::cli {
namespace {

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return spdlog::level::debug;
    case LogLevel::info:
      return spdlog::level::info;
    case LogLevel::warn:
      return spdlog::level::warn;
    case LogLevel::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

class SpdlogSink final : public LogSink {
 public:
  void write(LogLevel level, std::string_view line) noexcept override {
    try {
      if (quiet_.load(std::memory_order_relaxed) && level < LogLevel::warn) return;
      if (holding_.load(std::memory_order_relaxed)) {
        const std::lock_guard lock(held_mutex_);
        if (holding_.load(std::memory_order_relaxed)) {
          held_.emplace_back(level, line);
          return;
        }
      }
      spdlog::log(to_spdlog(level), "{}", line);
    } catch (...) {
      // A failing log sink must never take acquisition down.
    }
  }

  void hold() noexcept {
    const std::lock_guard lock(held_mutex_);
    holding_.store(true, std::memory_order_relaxed);
  }

  void set_quiet(bool quiet) noexcept { quiet_.store(quiet, std::memory_order_relaxed); }

  /// Stops holding; the held lines are printed (`print`, in order) or dropped.
  void stop_holding(bool print) noexcept {
    std::vector<std::pair<LogLevel, std::string>> lines;
    {
      const std::lock_guard lock(held_mutex_);
      holding_.store(false, std::memory_order_relaxed);
      lines.swap(held_);
    }
    if (!print) return;
    for (const auto& [level, line] : lines) write(level, line);
  }

 private:
  // holding_ is read without the mutex on every line and set and cleared under it, so a line
  // either lands in held_ before stop_holding() takes them or is printed directly.
  std::atomic<bool> holding_{false};
  std::atomic<bool> quiet_{false};
  std::mutex held_mutex_;
  std::vector<std::pair<LogLevel, std::string>> held_;
};

SpdlogSink g_sink;

}  // namespace

ScopedSpdlogSink::ScopedSpdlogSink(bool verbose) {
  // Logs go to stderr so that stdout carries only the summary and machine-readable output.
  spdlog::set_default_logger(spdlog::stderr_color_mt("daq"));
  // On a terminal the live progress line (progress.hpp) may be on screen without a newline:
  // a log line first erases it (\r + erase line) instead of being appended to it; the next
  // progress update redraws it below the log line.
  const bool terminal = ::isatty(::fileno(stderr)) != 0;
  spdlog::set_pattern(terminal ? "\r\033[2K%H:%M:%S.%e %^%l%$ %v" : "%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  set_log_level(verbose ? LogLevel::debug : LogLevel::info);
  set_log_sink(&g_sink);
}

ScopedSpdlogSink::~ScopedSpdlogSink() {
  set_log_sink(nullptr);
}

HeldLogLines::HeldLogLines() {
  g_sink.hold();
}

HeldLogLines::~HeldLogLines() {
  g_sink.stop_holding(false);
}

void HeldLogLines::release() {
  g_sink.stop_holding(true);
}

QuietLogLines::QuietLogLines() {
  g_sink.set_quiet(true);
}

QuietLogLines::~QuietLogLines() {
  g_sink.set_quiet(false);
}

}  // namespace daq::cli
