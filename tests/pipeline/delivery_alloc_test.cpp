// Zero allocations per frame through the whole delivery loop in steady state (4 observers,
// 2 channel taps, a primary consumer), measured with the counting operator new over a window
// of frames after warm-up; the legacy paths show their per-frame allocations in the same test.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <optional>
#include <thread>
#include <vector>

#include "daq/pipeline/delivery.hpp"
#include "daq/pool/alloc_counter.hpp"
#include "delivery_helpers.hpp"
#include "watchdog.hpp"

namespace daq {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kWarmup = 300;
#ifdef DAQ_SANITIZED
constexpr std::uint64_t kWindow = 500;
#else
constexpr std::uint64_t kWindow = 3000;
#endif

enum class Path { pool, heap_frames, legacy_broadcast };

struct Window {
  std::uint64_t allocations = 0;
  std::uint64_t frames = 0;
  std::uint64_t bad = 0;
  double per_frame() const {
    return static_cast<double>(allocations) / static_cast<double>(frames);
  }
};

// Runs a continuous stream and counts every allocation, on any thread, while the primary
// consumer receives frames kWarmup .. kWarmup + kWindow.
Window measure(Path path) {
  test::ScriptedFormat format;
  format.width = 64;
  format.height = 32;
  format.bit_depth = 16;              // 4 KiB frames
  format.frames_per_second = 10'000;  // a steady camera the consumer keeps up with

  DeliveryOptions options = test::pool_options(8);
  options.acquire_timeout = 50ms;
  options.fallback_budget_bytes = 0;  // even a stalled consumer cannot cause a heap frame
  options.use_pool = path != Path::heap_frames;
  test::Rig rig(format, options);
  const std::size_t bytes = rig.frame_bytes();

  std::vector<std::unique_ptr<test::ObserverCounters>> counters;
  for (std::uint32_t i = 0; i < 4; ++i) {
    counters.push_back(std::make_unique<test::ObserverCounters>());
    rig->register_observer(std::make_unique<test::CountingObserver>(*counters.back(), bytes),
                           ObserverOptions{.decimation = 1 + i, .name = {}});
  }
  std::atomic<bool> done{false};
  std::vector<std::thread> drainers;
  std::vector<ChannelTap> taps;
  for (std::uint32_t i = 0; i < 2; ++i) {
    taps.push_back(rig->add_channel_tap(
        "tap", {.decimation = 1 + 2 * i, .queue_capacity = 4, .pool_frames = 4}));
  }
  for (auto& tap : taps) {
    drainers.emplace_back([&done, &tap] {
      while (!done.load(std::memory_order_acquire)) (void)tap.frames.recv_for(1ms);
    });
  }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  std::optional<Receiver<SharedFrame>> legacy;
  if (path == Path::legacy_broadcast) legacy = rig->subscribe_frames(64);
#pragma GCC diagnostic pop
  if (legacy) {
    drainers.emplace_back([&legacy] {
      while (legacy->recv()) {
      }
    });
  }

  auto [tx, rx] = make_channel<LoanedFrame>(8);
  rig->register_primary_output(std::move(tx));
  std::latch window_over(1);
  Window window;
  std::uint64_t received = 0;  // every frame the consumer got; read after the join
  std::thread consumer([&] {
    alloc_counter::Counts before;
    while (auto frame = rx.recv()) {
      if (!test::ScriptedSource::verify((*frame)->pixels(), (*frame)->frame_number, bytes)) {
        ++window.bad;
      }
      frame.reset();  // the loan goes back inside the window
      ++received;
      if (received == kWarmup) before = alloc_counter::global();
      if (received == kWarmup + kWindow) {
        window.allocations = alloc_counter::global().allocations - before.allocations;
        window.frames = kWindow;
        window_over.count_down();
      }
    }
  });

  rig->start_stream();
  window_over.wait();
  rig->stop_stream();
  consumer.join();
  done.store(true, std::memory_order_release);
  for (auto& t : drainers) t.join();
  // The loop offers each frame to the observers before the primary, so the every-frame
  // observer saw at least every frame the consumer received: the window ran through all four
  // observers. Not strictly more: stop_stream() may land between the primary's last frame and
  // the next one (the consumer's wake-up can preempt the delivery thread right after its send).
  EXPECT_GE(received, kWarmup + kWindow);
  EXPECT_GE(counters[0]->seen.load(), received);
  for (const auto& c : counters) EXPECT_EQ(c->bad.load(), 0u);
  return window;
}

TEST(DeliveryAllocations, ThePooledPathAllocatesNothingPerFrame) {
  test::Watchdog watchdog(120s, "pooled allocations");
  const Window w = measure(Path::pool);
  EXPECT_EQ(w.bad, 0u);
  EXPECT_EQ(w.allocations, 0u) << "over " << w.frames << " frames";
}

TEST(DeliveryAllocations, TheRollbackPathAllocatesEveryFrame) {
  test::Watchdog watchdog(120s, "heap-frame allocations");
  const Window w = measure(Path::heap_frames);
  EXPECT_EQ(w.bad, 0u);
  // One heap frame per frame (its control block; the pixels are mapped memory). A few frames
  // of the window may have been made just before it started.
  EXPECT_GE(w.per_frame(), 0.95) << w.allocations << " allocations over " << w.frames;
}

TEST(DeliveryAllocations, TheLegacyBroadcastAllocatesEveryFrame) {
  test::Watchdog watchdog(120s, "legacy allocations");
  const Window w = measure(Path::legacy_broadcast);
  EXPECT_EQ(w.bad, 0u);
  // make_shared<Frame> + the pixel vector, per frame.
  EXPECT_GE(w.per_frame(), 1.9) << w.allocations << " allocations over " << w.frames;
}

}  // namespace
}  // namespace daq
