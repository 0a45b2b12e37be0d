// Aborts the test process if a scope takes longer than its budget: a deadlock in a concurrency
// test fails loudly instead of hanging CI.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace daq::test {

class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds budget, const char* what = "test")
      : thread_([this, budget, what] {
          std::unique_lock lock(mutex_);
          if (!done_cv_.wait_for(lock, budget, [this] { return done_; })) {
            std::fprintf(stderr, "watchdog: %s exceeded %lld s; aborting\n", what,
                         static_cast<long long>(budget.count()));
            std::abort();
          }
        }) {}
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_one();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace daq::test
