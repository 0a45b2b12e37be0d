// Test helper: installs a LogSink that keeps every line for the scope's lifetime.
#pragma once

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

  std::vector<std::pair<LogLevel, std::string>> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

  /// Whether some line contains `text`.
  bool contains(std::string_view text) const {
    std::lock_guard lock(mutex_);
    for (const auto& entry : lines_) {
      if (entry.second.find(text) != std::string::npos) return true;
    }
    return false;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<LogLevel, std::string>> lines_;
};

}  // namespace daq::test
