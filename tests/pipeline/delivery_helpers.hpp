// Helpers for the StreamingProducer tests: a producer over a ScriptedSource, observers that
// check frames, a primary consumer that checks frames, and a condition poll.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "daq/pipeline/delivery.hpp"
#include "scripted_source.hpp"

namespace daq::test {

/// A producer and a pointer to its source (owned by the producer).
struct Rig {
  ScriptedSource* source = nullptr;
  std::unique_ptr<StreamingProducer> producer;

  explicit Rig(ScriptedFormat format, DeliveryOptions options = {},
               const std::function<void(ScriptedSource&)>& script = {}) {
    auto owned = std::make_unique<ScriptedSource>(format);
    source = owned.get();
    if (script) script(*source);
    producer = std::make_unique<StreamingProducer>(std::move(owned), options);
  }
  StreamingProducer* operator->() const { return producer.get(); }
  std::size_t frame_bytes() const { return source->frame_bytes(); }
};

/// Pool-mode options regardless of the DAQ_USE_POOL environment of the test run.
inline DeliveryOptions pool_options(std::size_t pool_frames = 4) {
  DeliveryOptions options;
  options.pool_frames = pool_frames;
  options.use_pool = true;
  return options;
}

/// An observer whose counters outlive it (the producer owns and may destroy the observer).
struct ObserverCounters {
  std::atomic<std::uint64_t> seen{0};
  std::atomic<std::uint64_t> bad{0};
};

class CountingObserver final : public FrameObserver {
 public:
  CountingObserver(ObserverCounters& counters, std::size_t frame_bytes,
                   std::function<void(const FrameView&)> extra = {})
      : counters_(counters), frame_bytes_(frame_bytes), extra_(std::move(extra)) {}
  void on_frame(const FrameView& frame) override {
    if (!ScriptedSource::verify(frame.pixels(), frame.frame_number(), frame_bytes_)) {
      counters_.bad.fetch_add(1);
    }
    counters_.seen.fetch_add(1);
    if (extra_) extra_(frame);
  }

 private:
  ObserverCounters& counters_;
  std::size_t frame_bytes_;
  std::function<void(const FrameView&)> extra_;
};

/// What a primary consumer received.
struct Received {
  std::vector<std::uint64_t> numbers;
  std::uint64_t bad = 0;
};

/// Receives until the channel closes, checking every frame.
inline Received drain(Receiver<LoanedFrame>& rx, std::size_t frame_bytes) {
  Received r;
  while (auto frame = rx.recv()) {
    const FrameData& f = **frame;
    if (!ScriptedSource::verify(f.pixels(), f.frame_number, frame_bytes)) ++r.bad;
    r.numbers.push_back(f.frame_number);
  }
  return r;
}

/// Polls `condition` (no sleeping) until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

/// Every number in [0, produced) exactly once across `delivered` and the dropped ranges.
inline ::testing::AssertionResult accounts_for_every_frame(
    const LedgerSnapshot& ledger, const std::vector<std::uint64_t>& delivered) {
  std::vector<int> seen(ledger.produced, 0);
  auto mark = [&](std::uint64_t n) {
    if (n >= seen.size()) return false;
    ++seen[n];
    return true;
  };
  for (const auto n : delivered) {
    if (!mark(n)) return ::testing::AssertionFailure() << "delivered frame " << n << " >= produced";
  }
  for (const auto& range : ledger.dropped_ranges) {
    for (std::uint64_t n = range.first; n <= range.last; ++n) {
      if (!mark(n)) return ::testing::AssertionFailure() << "dropped frame " << n << " >= produced";
    }
  }
  for (std::uint64_t n = 0; n < seen.size(); ++n) {
    if (seen[n] != 1) {
      return ::testing::AssertionFailure() << "frame " << n << " accounted " << seen[n] << " times";
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace daq::test
