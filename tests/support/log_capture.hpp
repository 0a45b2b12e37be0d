// LogCapture: installs a LogSink that keeps every daq::log line for the scope's lifetime, then
// restores the default sink (set_log_sink() returns only once no thread is still writing here).
// Test code; thread-safe; allocates per line.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daq/pool/log.hpp"

namespace daq::test {

class LogCapture final : public LogSink {
 public:
  LogCapture() { set_log_sink(this); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  ~LogCapture() override { set_log_sink(nullptr); }

  void write(LogLevel level, std::string_view line) noexcept override {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(level, std::string(line));
  }

  /// Every line so far, with its level, in order.
  std::vector<std::pair<LogLevel, std::string>> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

  /// Lines that contain `text`.
  std::size_t count(std::string_view text) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& entry : lines_) {
      if (entry.second.find(text) != std::string::npos) ++n;
    }
    return n;
  }

  /// Whether some line contains `text`.
  bool contains(std::string_view text) const { return count(text) != 0; }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<LogLevel, std::string>> lines_;
};

}  // namespace daq::test
