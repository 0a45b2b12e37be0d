#include "sim_stream.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "daq/pipeline/delivery.hpp"
#include "measure.hpp"

namespace daq::cli::bench {
namespace {

constexpr std::size_t kPoolFrames = 8;     // primary pool and primary queue
constexpr std::size_t kTapFrames = 4;      // tap pool and tap queue
constexpr std::size_t kMaxLatencySamples = std::size_t{1} << 18;

double latency_us(Clock::time_point received, std::uint64_t published_ns) noexcept {
  const auto received_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(received.time_since_epoch()).count();
  return (static_cast<double>(received_ns) - static_cast<double>(published_ns)) / 1e3;
}

// The primary consumer and its one measuring window (see the header comment).
class WindowMeter {
 public:
  explicit WindowMeter(const StreamPlan& plan) : plan_(plan) {
    window_.latency_us.reserve(kMaxLatencySamples);
  }

  /// Consumer thread: receives until the channel closes. Allocates nothing.
  template <class Item>
  void consume(Receiver<Item>& frames) noexcept {
    const std::chrono::duration<double> length(plan_.window_s);
    alloc_counter::Counts at_start;
    Clock::time_point start;
    bool open = false;
    bool done = false;
    while (auto frame = frames.recv()) {
      const Clock::time_point now = Clock::now();
      ++received_;
      if (done) continue;
      if (!open) {
        if (received_ == plan_.warmup_frames) {
          at_start = alloc_counter::global();
          start = Clock::now();
          open = true;
        }
        continue;
      }
      ++window_.frames;
      if (window_.latency_us.size() < window_.latency_us.capacity()) {
        window_.latency_us.push_back(latency_us(now, (*frame)->timestamp_ns));
      }
      if (window_.frames >= plan_.min_frames && now - start >= length) {
        const alloc_counter::Counts at_end = alloc_counter::global();
        window_.seconds = seconds_between(start, now);
        window_.allocations = {at_end.allocations - at_start.allocations,
                               at_end.bytes - at_start.bytes};
        done = true;
        signal_done();
      }
    }
    if (!done) signal_done();  // the stream ended before the window closed
  }

  /// Waits until the window closed or the stream ended; false after `timeout`.
  bool wait_done(std::chrono::duration<double> timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [this] { return done_; });
  }

  // Read these after the consumer thread was joined.
  StreamWindow& window() noexcept { return window_; }
  std::uint64_t received() const noexcept { return received_; }

 private:
  void signal_done() noexcept {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
  }

  const StreamPlan& plan_;
  StreamWindow window_;
  std::uint64_t received_ = 0;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
};

// Starts the stream and the consumers, waits for the window, stops and joins (also on throw).
template <class Primary, class Tap, class OnTapFrame>
StreamWindow measure(StreamingProducer& producer, const StreamPlan& plan,
                     Receiver<Primary>& primary, std::optional<Receiver<Tap>>& tap,
                     OnTapFrame on_tap_frame) {
  WindowMeter meter(plan);
  std::uint64_t tap_frames = 0;
  bool window_closed = false;
  producer.start_stream();
  {
    struct Consumers {
      std::function<void()> stop;
      std::thread primary;
      std::thread tap;
      ~Consumers() {
        stop();
        if (primary.joinable()) primary.join();
        if (tap.joinable()) tap.join();
      }
    } consumers{[&] {
      producer.stop_stream();
      primary.close();
      if (tap) tap->close();
    }, {}, {}};
    consumers.primary = std::thread([&] { meter.consume(primary); });
    if (tap) {
      consumers.tap = std::thread([&] {
        while (auto frame = tap->recv()) {
          on_tap_frame(*frame);
          ++tap_frames;
        }
      });
    }
    window_closed = meter.wait_done(std::chrono::duration<double>(60.0 + 10.0 * plan.window_s));
  }
  const ProducerStats stats = producer.stats();
  if (stats.stop_reason == StopReason::source_failed) {
    throw std::runtime_error("bench: the simulated camera failed: " + stats.stop_message);
  }
  StreamWindow& window = meter.window();
  if (!window_closed || window.seconds <= 0.0) {
    throw std::runtime_error("bench: the stream delivered " + std::to_string(meter.received()) +
                             " frames; a window needs " +
                             std::to_string(plan.warmup_frames + plan.min_frames));
  }
  if (stats.frames.produced > 0) {
    window.heap_frames_per_frame = static_cast<double>(stats.fallback_allocations) /
                                   static_cast<double>(stats.frames.produced);
  }
  window.tap_share = static_cast<double>(tap_frames) / static_cast<double>(meter.received());
  return std::move(window);
}

StreamWindow run_pooled(StreamingProducer& producer, const StreamPlan& plan) {
  auto [sender, primary] = make_channel<LoanedFrame>(kPoolFrames);
  producer.register_primary_output(std::move(sender));
  std::optional<Receiver<LoanedFrame>> tap;
  if (plan.tap) {
    ChannelTapOptions options;
    options.queue_capacity = kTapFrames;
    options.pool_frames = kTapFrames;
    tap = producer.add_channel_tap("bench_tap", options).frames;
  }
  return measure(producer, plan, primary, tap, [](const LoanedFrame&) {});
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
StreamWindow run_legacy(StreamingProducer& producer, const StreamPlan& plan) {
  Receiver<SharedFrame> primary = producer.subscribe_frames(kPoolFrames);
  std::optional<Receiver<SharedFrame>> tap;
  if (plan.tap) tap = producer.subscribe_frames(kTapFrames);
  return measure(producer, plan, primary, tap, [](const SharedFrame& frame) {
    // The tap's own copy of the pixels, as the pre-pool tap cloned every frame.
    std::vector<std::byte> clone(frame->pixels.begin(), frame->pixels.end());
    escape(clone.data());
  });
}
#pragma GCC diagnostic pop

}  // namespace

SimConfig bench_camera(double fps) {
  SimConfig config;
  config.name = "bench";
  config.width = 2048;
  config.height = 2048;
  config.bit_depth = 16;
  config.fps = fps;
  config.pattern = SimPattern::ramp;
  return config;
}

StreamWindow run_stream(const StreamPlan& plan) {
  DeliveryOptions options;
  options.pool_frames = kPoolFrames;
  options.acquire_timeout = std::chrono::seconds(1);
  options.fallback_budget_bytes = 0;
  options.use_pool = !plan.legacy;
  StreamingProducer producer(make_sim_source(plan.camera), options);
  return plan.legacy ? run_legacy(producer, plan) : run_pooled(producer, plan);
}

}  // namespace daq::cli::bench
