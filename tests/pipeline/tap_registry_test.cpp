#include "daq/pipeline/tap_registry.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <latch>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "daq/pool/alloc_counter.hpp"
#include "watchdog.hpp"

namespace daq {
namespace {

using namespace std::chrono_literals;

#ifdef DAQ_SANITIZED
constexpr int kChurnRounds = 200;
#else
constexpr int kChurnRounds = 1000;
#endif

// A frame of `bytes` bytes whose pixel i holds (seed + i) & 0xff.
FrameData make_frame(std::uint64_t number, std::size_t bytes = 256, std::uint8_t seed = 0) {
  FrameData frame = FrameData::with_capacity(bytes);
  frame.frame_number = number;
  frame.width = static_cast<std::uint32_t>(bytes);
  frame.height = 1;
  frame.bit_depth = 8;
  frame.exposure_ms = 1.5;
  frame.temperature_c = -20.0;
  auto pixels = frame.writable_pixels(bytes);
  for (std::size_t i = 0; i < bytes; ++i) pixels[i] = std::byte((seed + i) & 0xff);
  return frame;
}

// Records what it sees into shared state that outlives it; runs an optional hook per frame.
struct Probe {
  std::atomic<std::uint64_t> calls{0};
  std::atomic<std::uint64_t> last_frame{0};
  std::atomic<bool> destroyed{false};
  std::vector<std::uint64_t> frames;  // written by the delivery thread only
};

class ProbeObserver final : public FrameObserver {
 public:
  explicit ProbeObserver(Probe& probe, std::function<void(const FrameView&)> hook = {})
      : probe_(probe), hook_(std::move(hook)) {}
  ~ProbeObserver() override { probe_.destroyed.store(true); }
  void on_frame(const FrameView& frame) override {
    probe_.calls.fetch_add(1);
    probe_.last_frame.store(frame.frame_number());
    if (probe_.frames.size() < probe_.frames.capacity())
      probe_.frames.push_back(frame.frame_number());
    if (hook_) hook_(frame);
  }
  std::string_view name() const noexcept override { return "probe"; }

 private:
  Probe& probe_;
  std::function<void(const FrameView&)> hook_;
};

ObserverOptions every_nth(std::uint32_t decimation) {
  ObserverOptions options;
  options.decimation = decimation;
  return options;
}

ObserverOptions named(std::string name) {
  ObserverOptions options;
  options.name = std::move(name);
  return options;
}

std::unique_ptr<FrameObserver> probe_observer(Probe& probe,
                                              std::function<void(const FrameView&)> hook = {}) {
  return std::make_unique<ProbeObserver>(probe, std::move(hook));
}

TEST(TapRegistry, RejectsZeroDecimationAndNullObserver) {
  TapRegistry registry;
  Probe probe;
  EXPECT_THROW(registry.register_observer(probe_observer(probe), every_nth(0)),
               std::invalid_argument);
  EXPECT_THROW(registry.register_observer(nullptr), std::invalid_argument);
  EXPECT_EQ(registry.size(), 0u);
}

TEST(TapRegistry, RejectsChannelTapOptionsOfZero) {
  TapRegistry registry;
  const ChannelTapOptions good{.frame_bytes = 64};
  auto with = [&](auto change) {
    ChannelTapOptions options = good;
    change(options);
    return options;
  };
  EXPECT_THROW(registry.add_channel_tap("t", with([](auto& o) { o.decimation = 0; })),
               std::invalid_argument);
  EXPECT_THROW(registry.add_channel_tap("t", with([](auto& o) { o.queue_capacity = 0; })),
               std::invalid_argument);
  EXPECT_THROW(registry.add_channel_tap("t", with([](auto& o) { o.pool_frames = 0; })),
               std::invalid_argument);
  EXPECT_THROW(registry.add_channel_tap("t", with([](auto& o) { o.frame_bytes = 0; })),
               std::invalid_argument);
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_NO_THROW(registry.add_channel_tap("t", good));
  EXPECT_EQ(registry.size(), 1u);
}

TEST(TapRegistry, DeliversInRegistrationOrderAndNamesTaps) {
  TapRegistry registry;
  std::vector<int> order;
  Probe a, b;
  const auto first =
      registry.register_observer(probe_observer(a, [&](const FrameView&) { order.push_back(1); }));
  const auto second = registry.register_observer(
      probe_observer(b, [&](const FrameView&) { order.push_back(2); }), named("preview"));
  EXPECT_NE(first, second);
  EXPECT_NE(first.id, 0u);

  const FrameData frame = make_frame(7);
  registry.deliver(frame.view());
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_EQ(a.last_frame.load(), 7u);

  const auto stats = registry.stats();
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].name, "probe");
  EXPECT_EQ(stats[1].name, "preview");
  EXPECT_EQ(stats[0].delivered, 1u);
  EXPECT_EQ(stats[1].delivered, 1u);
}

TEST(TapRegistry, DecimationCountsFramesOfferedToThatTap) {
  TapRegistry registry;
  Probe every, third;
  every.frames.reserve(16);
  third.frames.reserve(16);
  registry.register_observer(probe_observer(every));
  const FrameData early = make_frame(100);
  registry.deliver(early.view());  // before the decimated observer exists: not counted for it
  registry.register_observer(probe_observer(third), every_nth(3));
  for (std::uint64_t n = 0; n < 10; ++n) {
    const FrameData frame = make_frame(n);
    registry.deliver(frame.view());
  }
  EXPECT_EQ(every.calls.load(), 11u);
  EXPECT_EQ(third.frames, (std::vector<std::uint64_t>{0, 3, 6, 9}));
  const auto stats = registry.stats();
  EXPECT_EQ(stats[1].decimation, 3u);
  EXPECT_EQ(stats[1].delivered, 4u);
}

TEST(TapRegistry, UnregisterStopsCallsDestroysObserverAndRejectsUnknownHandles) {
  TapRegistry registry;
  Probe probe;
  const auto handle = registry.register_observer(probe_observer(probe));
  const FrameData frame = make_frame(1);
  registry.deliver(frame.view());
  EXPECT_TRUE(registry.unregister(handle));
  EXPECT_TRUE(probe.destroyed.load());
  registry.deliver(frame.view());
  EXPECT_EQ(probe.calls.load(), 1u);
  EXPECT_FALSE(registry.unregister(handle));
  EXPECT_FALSE(registry.unregister(ObserverHandle{}));
  EXPECT_FALSE(registry.unregister(ObserverHandle{12345}));
  EXPECT_TRUE(registry.stats().empty());
}

TEST(TapRegistry, ThrowingObserverIsCountedAndIsolated) {
  TapRegistry registry;
  Probe thrower, after;
  registry.register_observer(probe_observer(thrower, [](const FrameView& f) {
    if (f.frame_number() % 2 == 0) throw std::runtime_error("boom");
  }));
  registry.register_observer(probe_observer(after));
  for (std::uint64_t n = 0; n < 4; ++n) {
    const FrameData frame = make_frame(n);
    registry.deliver(frame.view());
  }
  EXPECT_EQ(after.calls.load(), 4u);
  const auto stats = registry.stats();
  EXPECT_EQ(stats[0].errors, 2u);
  EXPECT_EQ(stats[0].delivered, 2u);
  EXPECT_EQ(stats[1].errors, 0u);
  EXPECT_EQ(stats[1].delivered, 4u);
}

// A clock that moves only when told to, so "slow" does not depend on the machine's load.
std::chrono::steady_clock::time_point g_fake_now{};
std::chrono::steady_clock::time_point fake_now() noexcept {
  return g_fake_now;
}

TEST(TapRegistry, CallsOverOneMillisecondAreCountedAsSlow) {
  TapRegistry registry(&fake_now);
  Probe slow, fast;
  registry.register_observer(probe_observer(slow, [](const FrameView& f) {
    if (f.frame_number() == 1) g_fake_now += 3ms;  // a slow consumer
    if (f.frame_number() == 2) g_fake_now += 1ms;  // exactly the limit: not slow
  }));
  registry.register_observer(probe_observer(fast));
  for (std::uint64_t n = 0; n < 3; ++n) {
    const FrameData frame = make_frame(n);
    registry.deliver(frame.view());
  }
  const auto stats = registry.stats();
  EXPECT_EQ(stats[0].slow_calls, 1u);
  EXPECT_EQ(stats[1].slow_calls, 0u);
}

TEST(TapRegistry, ObserverCanUnregisterItselfFromOnFrame) {
  test::Watchdog watchdog(30s, "ObserverCanUnregisterItselfFromOnFrame");
  TapRegistry registry;
  Probe probe;
  ObserverHandle self;
  bool result = false;
  self = registry.register_observer(probe_observer(probe, [&](const FrameView&) {
    result = registry.unregister(self);
    EXPECT_FALSE(probe.destroyed.load());  // not while its own call runs
  }));
  const FrameData frame = make_frame(1);
  registry.deliver(frame.view());
  EXPECT_TRUE(result);
  EXPECT_TRUE(probe.destroyed.load());  // freed when the pass ended
  registry.deliver(frame.view());
  EXPECT_EQ(probe.calls.load(), 1u);
  EXPECT_EQ(registry.size(), 0u);
}

TEST(TapRegistry, ObserverUnregisteredEarlierInThePassIsNotCalled) {
  TapRegistry registry;
  Probe first, second;
  ObserverHandle victim;
  registry.register_observer(probe_observer(first, [&](const FrameView&) {
    if (victim.id != 0) {
      EXPECT_TRUE(registry.unregister(std::exchange(victim, {})));
    }
  }));
  victim = registry.register_observer(probe_observer(second));
  const FrameData frame = make_frame(1);
  registry.deliver(frame.view());
  EXPECT_EQ(second.calls.load(), 0u);
  EXPECT_TRUE(second.destroyed.load());
}

TEST(TapRegistry, ObserverCanRegisterAnotherFromOnFrame) {
  test::Watchdog watchdog(30s, "ObserverCanRegisterAnotherFromOnFrame");
  TapRegistry registry;
  Probe parent, child;
  bool added = false;
  registry.register_observer(probe_observer(parent, [&](const FrameView&) {
    if (!added) {
      added = true;
      registry.register_observer(probe_observer(child));
    }
  }));
  const FrameData frame = make_frame(1);
  registry.deliver(frame.view());
  EXPECT_EQ(child.calls.load(), 0u);  // joins from the next frame on
  registry.deliver(frame.view());
  EXPECT_EQ(child.calls.load(), 1u);
  EXPECT_EQ(registry.size(), 2u);
}

TEST(TapRegistry, ConcurrentRegisterAndUnregisterWhileFramesFlow) {
  test::Watchdog watchdog(120s, "ConcurrentRegisterAndUnregisterWhileFramesFlow");
  TapRegistry registry;
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> violations{0};
  std::atomic<std::uint64_t> frames_delivered{0};

  // Each churned observer owns a flag the churn thread sets once unregister() returned; being
  // called after that (or after destruction) is a violation.
  struct Gate {
    std::atomic<bool> unregistered{false};
    std::atomic<bool> destroyed{false};
    std::atomic<std::uint64_t> calls{0};
  };
  class GateObserver final : public FrameObserver {
   public:
    GateObserver(Gate& gate, std::atomic<std::uint64_t>& violations)
        : gate_(gate), violations_(violations) {}
    ~GateObserver() override { gate_.destroyed.store(true); }
    void on_frame(const FrameView&) override {
      // Stay inside the call for a while, so unregister() often races a call in progress.
      for (int i = 0; i < 64; ++i) {
        if (gate_.unregistered.load() || gate_.destroyed.load()) violations_.fetch_add(1);
      }
      gate_.calls.fetch_add(1);
    }

   private:
    Gate& gate_;
    std::atomic<std::uint64_t>& violations_;
  };

  std::thread delivery([&] {
    std::uint64_t n = 0;
    const FrameData frame = make_frame(0);
    while (!stop.load()) {
      registry.deliver(frame.view());
      ++n;
    }
    frames_delivered.store(n);
  });

  std::vector<std::unique_ptr<Gate>> gates;
  gates.reserve(kChurnRounds);
  std::uint64_t calls_seen = 0;
  for (int round = 0; round < kChurnRounds; ++round) {
    auto& gate = *gates.emplace_back(std::make_unique<Gate>());
    const auto handle =
        registry.register_observer(std::make_unique<GateObserver>(gate, violations),
                                   every_nth(static_cast<std::uint32_t>(1 + round % 3)));
    if (round % 8 == 0) {
      // Sometimes wait until it was called at least once, so removal races a live call.
      while (gate.calls.load() == 0) std::this_thread::yield();
    }
    ASSERT_TRUE(registry.unregister(handle));
    ASSERT_TRUE(gate.destroyed.load()) << "unregister returned before destroying the observer";
    gate.unregistered.store(true);
    calls_seen += gate.calls.load();
  }
  stop.store(true);
  delivery.join();
  EXPECT_EQ(violations.load(), 0u);
  EXPECT_GT(calls_seen, 0u);
  EXPECT_GT(frames_delivered.load(), 0u);
  EXPECT_EQ(registry.size(), 0u);
}

TEST(TapRegistry, ChannelTapCopiesFramesIntoItsOwnPool) {
  TapRegistry registry;
  auto tap = registry.add_channel_tap("capture", {.decimation = 2, .frame_bytes = 1000});
  for (std::uint64_t n = 0; n < 4; ++n) {
    const FrameData frame = make_frame(n, 1000, static_cast<std::uint8_t>(n));
    registry.deliver(frame.view());
  }
  for (std::uint64_t expected : {0u, 2u}) {
    auto copy = tap.frames.try_recv();
    ASSERT_TRUE(copy.has_value());
    const FrameData original = make_frame(expected, 1000, static_cast<std::uint8_t>(expected));
    EXPECT_EQ(static_cast<const FrameMetadata&>(**copy),
              static_cast<const FrameMetadata&>(original));
    ASSERT_EQ((*copy)->actual_len, 1000u);
    EXPECT_EQ(std::memcmp((*copy)->pixels().data(), original.pixels().data(), 1000), 0);
    EXPECT_FALSE(copy->is_detached());
  }
  EXPECT_FALSE(tap.frames.try_recv().has_value());
  const auto stats = registry.stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].name, "capture");
  EXPECT_EQ(stats[0].delivered, 2u);
  EXPECT_EQ(stats[0].dropped, 0u);
  EXPECT_EQ(stats[0].decimation, 2u);
}

TEST(TapRegistry, SlowChannelTapDropsForItselfOnly) {
  TapRegistry registry;
  Probe observer;
  // Pool of 2 behind a queue of 4: the pool runs out first.
  auto by_pool = registry.add_channel_tap(
      "by_pool", {.queue_capacity = 4, .pool_frames = 2, .frame_bytes = 256});
  // Queue of 1 behind a pool of 4: the queue fills first.
  auto by_queue = registry.add_channel_tap(
      "by_queue", {.queue_capacity = 1, .pool_frames = 4, .frame_bytes = 256});
  registry.register_observer(probe_observer(observer));
  const FrameData frame = make_frame(1);
  for (int i = 0; i < 10; ++i) registry.deliver(frame.view());  // nobody receives: must not block

  auto stats = registry.stats();
  EXPECT_EQ(stats[0].delivered, 2u);
  EXPECT_EQ(stats[0].dropped, 8u);
  EXPECT_EQ(stats[1].delivered, 1u);
  EXPECT_EQ(stats[1].dropped, 9u);
  EXPECT_EQ(stats[2].delivered, 10u);
  EXPECT_EQ(observer.calls.load(), 10u);

  // Receiving (and releasing) a copy makes room again.
  {
    auto copy = by_pool.frames.try_recv();
    ASSERT_TRUE(copy.has_value());
  }
  {
    auto copy = by_queue.frames.try_recv();
    ASSERT_TRUE(copy.has_value());
  }
  registry.deliver(frame.view());
  stats = registry.stats();
  EXPECT_EQ(stats[0].delivered, 3u);
  EXPECT_EQ(stats[1].delivered, 2u);
}

// A pool of producer frames, as the delivery loop lends them.
std::shared_ptr<Pool<FrameData>> producer_pool(std::size_t frames, std::size_t bytes = 256) {
  return Pool<FrameData>::create(
      frames, [bytes] { return FrameData::with_capacity(bytes); },
      [](FrameData& frame) { frame.reset(); });
}

TEST(TapRegistry, SharingTapHandsOutTheProducersFrameNotACopy) {
  TapRegistry registry;
  auto pool = producer_pool(2);
  auto tap = registry.add_sharing_tap("stream", {.frames_held = 2});
  std::optional<LoanedFrame> frame = pool->try_acquire();
  static_cast<FrameData&>(**frame) = make_frame(7);
  registry.deliver(*frame);

  std::optional<HeldFrame> held = tap.frames.try_recv();
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ((**held)->pixels().data(), (*frame)->pixels().data()) << "zero copy";
  EXPECT_EQ((**held)->frame_number, 7u);

  frame.reset();  // the primary is done: the share still holds the frame
  EXPECT_EQ(pool->stats().in_use, 1u);
  held.reset();  // and now ZeroMQ (say) is done too
  EXPECT_EQ(pool->stats().in_use, 0u);
  EXPECT_EQ(registry.stats()[0].delivered, 1u);
}

TEST(TapRegistry, SharingTapHoldsAtMostItsQuotaThenDropsForItself) {
  TapRegistry registry;
  auto pool = producer_pool(8);
  auto tap = registry.add_sharing_tap("stream", {.frames_held = 3});
  for (std::uint64_t n = 0; n < 6; ++n) {
    const LoanedFrame frame = pool->acquire();
    registry.deliver(frame);  // nobody receives: must not block
  }
  EXPECT_EQ(pool->stats().in_use, 3u) << "the tap holds its quota of producer frames, no more";
  auto stats = registry.stats();
  EXPECT_EQ(stats[0].delivered, 3u);
  EXPECT_EQ(stats[0].dropped, 3u);

  { std::optional<HeldFrame> held = tap.frames.try_recv(); }  // one comes back
  registry.deliver(pool->acquire());
  EXPECT_EQ(registry.stats()[0].delivered, 4u);
}

TEST(TapRegistry, SharingTapDropsAViewItCannotHold) {
  TapRegistry registry;
  auto tap = registry.add_sharing_tap("stream", {});
  const FrameData frame = make_frame(1);
  registry.deliver(frame.view());
  EXPECT_EQ(registry.stats()[0].dropped, 1u);
  EXPECT_FALSE(tap.frames.try_recv().has_value());
}

TEST(TapRegistry, HeldFramesOutliveTheirTapAndTheProducersPool) {
  TapRegistry registry;
  auto pool = producer_pool(1);
  auto tap = registry.add_sharing_tap("stream", {.frames_held = 1});
  registry.deliver(pool->acquire());
  std::optional<HeldFrame> held = tap.frames.try_recv();
  ASSERT_TRUE(registry.unregister(tap.handle));
  pool.reset();
  EXPECT_EQ((**held)->capacity(), 4096u) << "still mapped (ASan would see a use after free)";
}

TEST(TapRegistry, RejectsSharingTapOptionsOfZero) {
  TapRegistry registry;
  EXPECT_THROW(registry.add_sharing_tap("t", {.decimation = 0}), std::invalid_argument);
  EXPECT_THROW(registry.add_sharing_tap("t", {.frames_held = 0}), std::invalid_argument);
}

TEST(TapRegistry, OversizedFrameIsAnErrorForTheTap) {
  TapRegistry registry;
  auto tap = registry.add_channel_tap("small", {.frame_bytes = 100});
  const FrameData frame = make_frame(1, 101);
  registry.deliver(frame.view());
  const auto stats = registry.stats();
  EXPECT_EQ(stats[0].errors, 1u);
  EXPECT_EQ(stats[0].delivered, 0u);
  EXPECT_FALSE(tap.frames.try_recv().has_value());
}

TEST(TapRegistry, ClosedTapReceiverDropsAndUnregisterClosesTheChannel) {
  TapRegistry registry;
  auto gone = registry.add_channel_tap("gone", {.frame_bytes = 256});
  auto kept = registry.add_channel_tap("kept", {.frame_bytes = 256});
  gone.frames = Receiver<LoanedFrame>();  // the consumer went away
  const FrameData frame = make_frame(1);
  registry.deliver(frame.view());
  auto stats = registry.stats();
  EXPECT_EQ(stats[0].dropped, 1u);
  EXPECT_EQ(stats[1].delivered, 1u);

  EXPECT_TRUE(registry.unregister(kept.handle));
  EXPECT_TRUE(kept.frames.is_closed());
  EXPECT_TRUE(kept.frames.recv().has_value());  // what was queued is still there
  EXPECT_FALSE(kept.frames.recv().has_value());
}

TEST(TapRegistry, DeliverAllocatesNothingWithFourObserversAndTwoChannelTaps) {
  TapRegistry registry;
  Probe probes[4];
  for (auto& probe : probes) registry.register_observer(probe_observer(probe));
  auto tap_a = registry.add_channel_tap("a", {.frame_bytes = 4096});
  auto tap_b = registry.add_channel_tap(
      "b", {.decimation = 2, .queue_capacity = 1, .pool_frames = 1, .frame_bytes = 4096});
  const FrameData frame = make_frame(0, 4096);
  registry.deliver(frame.view());  // warm-up: frees the snapshots retired by registration
  const auto before = alloc_counter::this_thread();
  for (int i = 0; i < 1000; ++i) {
    registry.deliver(frame.view());
    if (i % 3 == 0) {
      while (tap_a.frames.try_recv()) {
      }
      while (tap_b.frames.try_recv()) {
      }
    }
  }
  EXPECT_EQ(alloc_counter::this_thread().allocations, before.allocations);
  EXPECT_EQ(probes[3].calls.load(), 1001u);
  const auto stats = registry.stats();
  EXPECT_GT(stats[4].delivered, 0u);
  EXPECT_GT(stats[5].delivered, 0u);
  EXPECT_GT(stats[4].dropped + stats[5].dropped, 0u);
}

TEST(TapRegistry, ChannelTapFeedsAConsumerThreadWithIntactCopies) {
  test::Watchdog watchdog(120s, "ChannelTapFeedsAConsumerThreadWithIntactCopies");
  TapRegistry registry;
  auto tap = registry.add_channel_tap("capture",
                                      {.queue_capacity = 4, .pool_frames = 4, .frame_bytes = 512});
  std::atomic<std::uint64_t> bad{0};
  std::uint64_t received = 0;
  std::thread consumer([&] {
    while (auto copy = tap.frames.recv()) {
      const auto pixels = (*copy)->pixels();
      const auto seed = static_cast<std::uint8_t>((*copy)->frame_number);
      for (std::size_t i = 0; i < pixels.size(); ++i) {
        if (pixels[i] != std::byte((seed + i) & 0xff)) {
          bad.fetch_add(1);
          break;
        }
      }
      ++received;
    }
  });
  constexpr std::uint64_t kFrames = 2000;
  for (std::uint64_t n = 0; n < kFrames; ++n) {
    const FrameData frame = make_frame(n, 512, static_cast<std::uint8_t>(n));
    registry.deliver(frame.view());
  }
  const auto stats = registry.stats();
  EXPECT_TRUE(registry.unregister(tap.handle));  // closes the channel: the consumer ends
  consumer.join();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_EQ(stats[0].delivered + stats[0].dropped, kFrames);
  EXPECT_EQ(received, stats[0].delivered);
}

}  // namespace
}  // namespace daq
