// LogCapture: installs a LogSink that records daq::log lines for the duration of a scope.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "daq/pool/log.hpp"

namespace daq::test {

class LogCapture final : public LogSink {
 public:
  LogCapture() { set_log_sink(this); }
  ~LogCapture() override { set_log_sink(nullptr); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  void write(LogLevel level, std::string_view line) noexcept override {
    std::lock_guard lock(mutex_);
    if (level >= LogLevel::warn) lines_.emplace_back(line);
  }

  /// Warning and error lines that contain `needle`.
  std::size_t count(std::string_view needle) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& line : lines_) {
      if (line.find(needle) != std::string::npos) ++n;
    }
    return n;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace daq::test
