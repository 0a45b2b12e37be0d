#include "spdlog_sink.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

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
      spdlog::log(to_spdlog(level), "{}", line);
    } catch (...) {
      // A failing log sink must never take acquisition down.
    }
  }
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

}  // namespace daq::cli
