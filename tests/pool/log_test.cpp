#include "daq/pool/log.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "daq/pool/alloc_counter.hpp"
#include "log_capture.hpp"

namespace daq {
namespace {

// Restores the default level after each test.
class Log : public ::testing::Test {
 protected:
  ~Log() override { set_log_level(LogLevel::info); }
};

TEST_F(Log, FormatsAndHandsTheLineToTheSink) {
  test::LogCapture capture;
  log(LogLevel::warn, "mlock of %zu bytes refused (%s)", std::size_t{4096}, "EPERM");
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].first, LogLevel::warn);
  EXPECT_EQ(lines[0].second, "mlock of 4096 bytes refused (EPERM)");
}

TEST_F(Log, DropsLinesBelowTheLevel) {
  test::LogCapture capture;
  log(LogLevel::debug, "hidden by default");
  set_log_level(LogLevel::error);
  log(LogLevel::warn, "hidden");
  log(LogLevel::error, "shown");
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].second, "shown");
}

TEST_F(Log, TruncatesLongLinesToTheStackBuffer) {
  test::LogCapture capture;
  const std::string long_text(2000, 'x');
  log(LogLevel::error, "%s", long_text.c_str());
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].second, std::string(511, 'x'));
}

// A sink that stores nothing, so only log() itself could allocate.
class CountingSink final : public LogSink {
 public:
  void write(LogLevel, std::string_view line) noexcept override { bytes += line.size(); }
  std::size_t bytes = 0;
};

TEST_F(Log, LogItselfAllocatesNothing) {
  CountingSink sink;
  set_log_sink(&sink);
  const std::uint64_t before = alloc_counter::this_thread().allocations;
  for (int i = 0; i < 100; ++i) log(LogLevel::error, "frame %d dropped: %s", i, "pool exhausted");
  const std::uint64_t after = alloc_counter::this_thread().allocations;
  set_log_sink(nullptr);
  EXPECT_EQ(after - before, 0u);
  EXPECT_GT(sink.bytes, 0u);
}

}  // namespace
}  // namespace daq
