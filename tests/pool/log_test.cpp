#include "daq/pool/log.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daq/pool/alloc_counter.hpp"
#include "log_capture.hpp"
#include "watchdog.hpp"

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

// A sink whose first write() holds its thread until open() is called; later writes pass.
class GateSink final : public LogSink {
 public:
  void write(LogLevel, std::string_view) noexcept override {
    if (held_one_.exchange(true)) return;
    inside.store(true);
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return open_; });
    inside.store(false);
  }
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    cv_.notify_all();
  }
  std::atomic<bool> inside{false};

 private:
  std::atomic<bool> held_one_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

class TallySink final : public LogSink {
 public:
  void write(LogLevel, std::string_view) noexcept override { lines.fetch_add(1); }
  std::atomic<std::uint64_t> lines{0};
};

TEST_F(Log, SetLogSinkReturnsOnlyOnceNoThreadIsInsideTheOldSink) {
  using namespace std::chrono_literals;
  test::Watchdog watchdog(std::chrono::seconds(30), "set_log_sink vs a write in progress");
  GateSink old_sink;
  TallySink new_sink;
  set_log_sink(&old_sink);
  std::thread writer([] { log(LogLevel::error, "held inside the old sink"); });
  while (!old_sink.inside.load()) std::this_thread::yield();

  std::atomic<bool> returned{false};
  std::atomic<bool> old_sink_busy_at_return{false};
  std::thread setter([&] {
    set_log_sink(&new_sink);
    old_sink_busy_at_return.store(old_sink.inside.load());
    returned.store(true);
  });
  // New lines reach the new sink as soon as it is stored, while the old write goes on ...
  while (new_sink.lines.load() == 0) log(LogLevel::error, "probe");
  // ... but set_log_sink() does not return before that write ends (given 200 ms to do wrong).
  const auto give_up = std::chrono::steady_clock::now() + 200ms;
  while (!returned.load() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
  }
  EXPECT_FALSE(returned.load()) << "set_log_sink returned while a thread was inside the old sink";
  old_sink.open();
  setter.join();
  writer.join();
  EXPECT_TRUE(returned.load());
  EXPECT_FALSE(old_sink_busy_at_return.load());
  set_log_sink(nullptr);
}

// A sink that counts lines and notices any write after it was replaced.
class RetiringSink final : public LogSink {
 public:
  explicit RetiringSink(std::atomic<std::uint64_t>& late_writes) : late_writes_(late_writes) {}
  void write(LogLevel, std::string_view line) noexcept override {
    if (retired.load()) late_writes_.fetch_add(1);
    lines.fetch_add(1);
    sum.fetch_add(std::strtoull(std::string(line).c_str(), nullptr, 10));
  }
  std::atomic<bool> retired{false};
  std::atomic<std::uint64_t> lines{0};
  std::atomic<std::uint64_t> sum{0};

 private:
  std::atomic<std::uint64_t>& late_writes_;
};

// Threads log without pause while sinks are swapped and retired: no write reaches a sink after
// set_log_sink() replaced it, and every line reaches exactly one sink (count and checksum).
TEST_F(Log, SwappingSinksUnderLoadLosesNoLineAndTouchesNoRetiredSink) {
  test::Watchdog watchdog(std::chrono::seconds(60), "log sink swaps");
#ifdef DAQ_SANITIZED
  constexpr int kSwaps = 200;
#else
  constexpr int kSwaps = 2000;
#endif
  constexpr int kThreads = 3;
  std::atomic<std::uint64_t> late_writes{0};
  std::vector<std::unique_ptr<RetiringSink>> sinks;
  sinks.push_back(std::make_unique<RetiringSink>(late_writes));
  set_log_sink(sinks.back().get());
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> progress{0};  // lines logged by all threads, for the swap loop
  std::vector<std::uint64_t> logged(kThreads, 0);
  std::vector<std::uint64_t> logged_sum(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint64_t i = 1; !done.load(std::memory_order_relaxed); ++i) {
        log(LogLevel::error, "%llu", static_cast<unsigned long long>(i));
        ++logged[static_cast<std::size_t>(t)];
        logged_sum[static_cast<std::size_t>(t)] += i;
        progress.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  // On until the threads have logged alongside the swaps for a while.
  for (int swap = 0; swap < kSwaps || progress.load(std::memory_order_relaxed) < 20'000; ++swap) {
    sinks.push_back(std::make_unique<RetiringSink>(late_writes));
    set_log_sink(sinks.back().get());
    sinks[sinks.size() - 2]->retired.store(true);
  }
  done.store(true);
  for (auto& thread : threads) thread.join();
  set_log_sink(nullptr);

  std::uint64_t lines = 0;
  std::uint64_t sum = 0;
  for (const auto& sink : sinks) {
    lines += sink->lines.load();
    sum += sink->sum.load();
  }
  std::uint64_t expected_lines = 0;
  std::uint64_t expected_sum = 0;
  for (int t = 0; t < kThreads; ++t) {
    expected_lines += logged[static_cast<std::size_t>(t)];
    expected_sum += logged_sum[static_cast<std::size_t>(t)];
  }
  EXPECT_EQ(late_writes.load(), 0u);
  EXPECT_EQ(lines, expected_lines);
  EXPECT_EQ(sum, expected_sum);
}

}  // namespace
}  // namespace daq
