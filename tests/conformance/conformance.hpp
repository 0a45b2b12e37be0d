// conformance.hpp — the driver conformance suite: what every FrameProducer built from a driver's
// FrameSource must do, as one value-parameterised GoogleTest suite.
//
// How to run it for a driver (one test binary per driver):
//
//   #include "conformance.hpp"
//   namespace daq::conformance {
//   DriverUnderTest my_driver() {
//     DriverUnderTest d;
//     d.name = "MyCam";
//     d.make_source = [](const StreamRequest& r) { ... a FrameSource delivering r ... };
//     d.make_bad_source = [](BadConfig bad) -> std::optional<BadSource> { ... };
//     d.ramp_origin = 0;   // hw_frame_nr of the ramp's frame 0; nullopt: no ramp pattern
//     return d;
//   }
//   DAQ_CONFORMANCE_SUITE(MyCam, my_driver());
//   }  // namespace daq::conformance
//
// and in the tests/conformance/<driver>.cmake part:
//   daq_add_test(mycam_conformance_test SOURCES mycam_conformance_test.cpp
//                LIBS daq::camera_mycam LABELS conformance)
//
// What the suite checks (each test builds its producer as
// StreamingProducer(make_source(request), driver.delivery)):
//   FiniteCountDeliversEveryFrame   frame_count frames, in order, stop reason `finished`, ledger
//                                   balanced, format() matches every frame and names the
//                                   sensor, ramp pixel-exact
//   StartStopRestart                stop, restart on the same producer (frame numbers from 0),
//                                   stop twice, ledger balanced each time
//   EachStartRunsForItsOwnFrameCount  start_stream(StartOptions) counts of 5 and 30 on a source
//                                   configured for 12, then the configured 12, then continuous
//                                   (0): each ends where asked, on the same pool
//   PrimaryAndObserversSeeTheSameFrames  an observer and the primary see identical pixels
//   LedgerBalancesWithSlowConsumer  a slow primary: drops counted, received == delivered,
//                                   every received frame intact
//   StopWhileConsumerStalled        stop_stream() returns promptly although nobody reads the
//                                   primary; the queued frames can still be drained
//   BadConfigurationRejected        zero/absurd sizes, ROI outside the sensor, unsupported bit
//                                   depth, frame over the memory budget: start_stream() throws
//                                   ConfigError naming the field, and nothing streams
//   NoAllocationPerFrame            steady-state streaming makes no C++ heap allocation
// Requests are small (64 x 48 unless the driver says otherwise) so the suite runs in seconds,
// also under sanitizers. Pixel checks: when ramp_origin is set, pixel (x, y) of a frame with
// hardware number h must be (x + y + h - ramp_origin) mod 2^bit_depth.
//
// Thread-safety: test code; each test owns its producer and consumer threads.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "daq/pipeline/channel.hpp"
#include "daq/pipeline/delivery.hpp"
#include "daq/pipeline/frame_source.hpp"
#include "daq/pool/alloc_counter.hpp"
#include "ramp_check.hpp"
#include "watchdog.hpp"

namespace daq::conformance {

/// A valid acquisition the driver must be able to set up.
struct StreamRequest {
  std::uint32_t width = 64;       ///< delivered image width
  std::uint32_t height = 48;      ///< delivered image height
  std::uint64_t frame_count = 0;  ///< 0 = continuous
  double fps = 0.0;               ///< 0 = as fast as the camera goes; else this rate
};

/// Configurations every driver must reject in prepare() with daq::ConfigError.
enum class BadConfig {
  zero_size,              ///< a width or height of 0
  absurd_size,            ///< a side far beyond any sensor (e.g. 1,000,000 pixels)
  roi_outside_sensor,     ///< ROI offset + size beyond the sensor edge
  unsupported_bit_depth,  ///< a bit depth the camera cannot deliver
  frame_over_budget,      ///< one frame larger than the driver's memory budget
};

inline const char* to_string(BadConfig bad) {
  switch (bad) {
    case BadConfig::zero_size:
      return "zero_size";
    case BadConfig::absurd_size:
      return "absurd_size";
    case BadConfig::roi_outside_sensor:
      return "roi_outside_sensor";
    case BadConfig::unsupported_bit_depth:
      return "unsupported_bit_depth";
    case BadConfig::frame_over_budget:
      return "frame_over_budget";
  }
  return "?";
}

inline constexpr BadConfig kAllBadConfigs[] = {
    BadConfig::zero_size, BadConfig::absurd_size, BadConfig::roi_outside_sensor,
    BadConfig::unsupported_bit_depth, BadConfig::frame_over_budget};

/// A source built with a bad configuration, and the words its ConfigError must contain
/// (the field at fault, e.g. "roi.x + roi.width").
struct BadSource {
  std::unique_ptr<FrameSource> source;
  std::vector<std::string> message_mentions;
};

struct DriverUnderTest {
  std::string name;  ///< test name suffix: letters, digits, underscores
  std::function<std::unique_ptr<FrameSource>(const StreamRequest&)> make_source;
  /// nullopt when the driver cannot express `bad` (that case is then skipped, with a note).
  std::function<std::optional<BadSource>(BadConfig)> make_bad_source;
  /// hw_frame_nr of the ramp's frame 0 (0 for SimCamera, 1 for PVCAM's 1-based FrameNr);
  /// nullopt when the frames carry no ramp pattern (pixel checks skipped).
  std::optional<std::int64_t> ramp_origin;
  /// Whether hw_frame_nr counts frames (gaps then mean lost frames).
  bool numbers_frames = true;
  DeliveryOptions delivery = [] {
    DeliveryOptions o;
    o.pool_frames = 8;
    o.use_pool = true;
    return o;
  }();
  /// Per-test watchdog budget (slow fakes, sanitizers).
  std::chrono::seconds budget{60};
};

inline void PrintTo(const DriverUnderTest& driver, std::ostream* os) {
  *os << driver.name;
}

/// What a consumer saw of one frame.
struct Seen {
  std::uint64_t frame_number = 0;
  std::int64_t hw_frame_nr = -1;
  std::uint64_t sum = 0;
  friend bool operator==(const Seen&, const Seen&) = default;
};

/// How a PrimaryConsumer behaves.
struct ConsumerOptions {
  std::size_t capacity = 16;                ///< primary channel slots
  std::optional<std::int64_t> ramp_origin;  ///< check the ramp (see DriverUnderTest)
  std::chrono::microseconds per_frame{0};   ///< simulated work after each frame (slow consumer)
  bool start_receiving = true;              ///< false: stalled until start_receiving()
  bool record = true;                       ///< false: only count (allocation-free)
};

/// A primary consumer thread: registers a channel with the producer and receives until the
/// channel closes, recording each frame and checking the ramp. The producer holds the only
/// Sender, so the channel closes when the stream ends and every queued frame was taken.
class PrimaryConsumer {
 public:
  PrimaryConsumer(FrameProducer& producer, ConsumerOptions options)
      : options_(options), receiving_(options.start_receiving) {
    auto [tx, rx] = make_channel<LoanedFrame>(options.capacity);
    producer.register_primary_output(std::move(tx));
    thread_ = std::thread([this, rx = std::move(rx)]() mutable { run(rx); });
  }
  ~PrimaryConsumer() { join(); }
  PrimaryConsumer(const PrimaryConsumer&) = delete;
  PrimaryConsumer& operator=(const PrimaryConsumer&) = delete;

  /// Lets a consumer created with start_receiving = false begin to drain.
  void start_receiving() {
    {
      std::lock_guard lock(mutex_);
      receiving_ = true;
    }
    cv_.notify_all();
  }
  /// Frames received so far (lock-free, allocation-free).
  std::uint64_t count() const noexcept { return count_.load(std::memory_order_acquire); }
  /// Waits until at least `n` frames arrived, the channel closed, or `timeout` passed.
  std::uint64_t wait_for(std::uint64_t n, std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return count() >= n || closed_; });
    return count();
  }
  /// Waits for the channel to close.
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  std::vector<FrameMetadata> metadata() const {
    std::lock_guard lock(mutex_);
    return metadata_;
  }
  /// The first ramp mismatches (at most 10).
  std::vector<std::string> errors() const {
    std::lock_guard lock(mutex_);
    return errors_;
  }

 private:
  void run(Receiver<LoanedFrame>& rx) {
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return receiving_; });
    }
    // take() returns each loan to the pool before the (simulated) slow work: the optional it
    // came in dies inside take(), never reset by hand (GCC's -Wmaybe-uninitialized misreads an
    // optional<Loaned> that is reset and then destroyed).
    while (take(rx)) {
      {
        std::lock_guard lock(mutex_);  // pairs with wait_for(): no lost wake-up
        count_.fetch_add(1, std::memory_order_release);
      }
      cv_.notify_all();
      if (options_.per_frame.count() != 0) std::this_thread::sleep_for(options_.per_frame);
    }
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    cv_.notify_all();
  }

  // Receives one frame and records it; false once the channel is closed and drained.
  bool take(Receiver<LoanedFrame>& rx) {
    std::optional<LoanedFrame> frame = rx.recv();
    if (!frame) return false;
    if (!options_.record) return true;
    const FrameView view = (*frame)->view();
    const Seen s{view.frame_number(), view.hw_frame_nr(), checksum(view.pixels())};
    std::optional<std::string> bad;
    if (options_.ramp_origin) bad = ramp_mismatch(view, *options_.ramp_origin);
    std::lock_guard lock(mutex_);
    seen_.push_back(s);
    metadata_.push_back(view.metadata());
    if (bad && errors_.size() < 10) errors_.push_back(*bad);
    return true;
  }

  const ConsumerOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool receiving_;
  bool closed_ = false;
  std::atomic<std::uint64_t> count_{0};
  std::vector<Seen> seen_;
  std::vector<FrameMetadata> metadata_;
  std::vector<std::string> errors_;
  std::thread thread_;
};

/// An observer recording what it is shown (checksums are computed inside on_frame).
class RecordingObserver final : public FrameObserver {
 public:
  explicit RecordingObserver(std::shared_ptr<std::vector<Seen>> sink) : sink_(std::move(sink)) {
    sink_->reserve(4096);
  }
  void on_frame(const FrameView& frame) override {
    // Single writer (the delivery thread); the test reads after the stream stopped.
    if (sink_->size() < sink_->capacity()) {
      sink_->push_back({frame.frame_number(), frame.hw_frame_nr(), checksum(frame.pixels())});
    }
  }
  std::string_view name() const noexcept override { return "conformance-recorder"; }

 private:
  std::shared_ptr<std::vector<Seen>> sink_;
};

class ProducerConformance : public ::testing::TestWithParam<DriverUnderTest> {
 protected:
  const DriverUnderTest& driver() const { return GetParam(); }

  std::unique_ptr<StreamingProducer> make_producer(const StreamRequest& request) const {
    return std::make_unique<StreamingProducer>(driver().make_source(request), driver().delivery);
  }

  static void expect_balanced(const LedgerSnapshot& ledger) {
    EXPECT_TRUE(ledger.balanced()) << "produced " << ledger.produced << " delivered "
                                   << ledger.delivered << " dropped " << ledger.dropped;
    std::uint64_t in_ranges = 0;
    for (const FrameRange& r : ledger.dropped_ranges) in_ranges += r.size();
    EXPECT_EQ(in_ranges, ledger.dropped) << "dropped frame ranges must list every drop";
  }

  /// Frame numbers 0, 1, 2, ... and (when numbered) hardware numbers increasing.
  void expect_ordered(const std::vector<Seen>& seen) const {
    for (std::size_t i = 1; i < seen.size(); ++i) {
      ASSERT_LT(seen[i - 1].frame_number, seen[i].frame_number) << "at " << i;
      if (driver().numbers_frames) {
        ASSERT_LT(seen[i - 1].hw_frame_nr, seen[i].hw_frame_nr) << "at " << i;
      }
    }
  }
};

TEST_P(ProducerConformance, FiniteCountDeliversEveryFrame) {
  test::Watchdog watchdog(driver().budget, "FiniteCountDeliversEveryFrame");
  constexpr std::uint64_t kFrames = 40;
  auto producer = make_producer({.frame_count = kFrames});
  const SourceFormat format = producer->format();
  EXPECT_EQ(format.width, 64u);
  EXPECT_EQ(format.height, 48u);
  EXPECT_EQ(format.frame_count, kFrames);
  EXPECT_EQ(format.frame_bytes, std::size_t{64} * 48 * bytes_per_pixel(format.bit_depth));
  // The sensor the image is cut from (the file's detector record); never unknown or smaller.
  EXPECT_GE(format.sensor_width, format.width);
  EXPECT_GE(format.sensor_height, format.height);

  PrimaryConsumer consumer(*producer, {.capacity = kFrames, .ramp_origin = driver().ramp_origin});
  producer->start_stream();
  ASSERT_TRUE(producer->wait_until_stopped(driver().budget));
  consumer.join();

  const ProducerStats stats = producer->stats();
  EXPECT_EQ(stats.stop_reason, StopReason::finished) << stats.stop_message;
  const LedgerSnapshot ledger = producer->ledger();
  expect_balanced(ledger);
  EXPECT_EQ(ledger.produced + ledger.lost_hw_frames, kFrames);
  EXPECT_EQ(ledger.lost_hw_frames, 0u) << "a fast consumer must not lose frames";
  EXPECT_EQ(ledger.dropped, 0u);

  const auto seen = consumer.seen();
  ASSERT_EQ(seen.size(), kFrames);
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i].frame_number, i);
  expect_ordered(seen);
  if (driver().ramp_origin) {
    EXPECT_EQ(seen.front().hw_frame_nr, *driver().ramp_origin);
    EXPECT_EQ(seen.back().hw_frame_nr, *driver().ramp_origin + std::int64_t{kFrames} - 1);
  }
  for (const FrameMetadata& m : consumer.metadata()) {
    EXPECT_EQ(m.width, format.width);
    EXPECT_EQ(m.height, format.height);
    EXPECT_EQ(m.bit_depth, format.bit_depth);
    EXPECT_GT(m.timestamp_ns, 0u);
  }
  EXPECT_TRUE(consumer.errors().empty()) << consumer.errors().front();
}

TEST_P(ProducerConformance, StartStopRestart) {
  test::Watchdog watchdog(driver().budget, "StartStopRestart");
  auto producer = make_producer({});
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    PrimaryConsumer consumer(*producer, {.capacity = 16, .ramp_origin = driver().ramp_origin});
    producer->start_stream();
    EXPECT_TRUE(producer->is_streaming());
    producer->start_stream();  // starting while streaming does nothing
    ASSERT_GE(consumer.wait_for(10, driver().budget), 10u);
    producer->stop_stream();
    EXPECT_FALSE(producer->is_streaming());
    producer->stop_stream();  // stopping twice is harmless
    consumer.join();
    EXPECT_EQ(producer->stats().stop_reason, StopReason::requested);
    expect_balanced(producer->ledger());
    const auto seen = consumer.seen();
    ASSERT_GE(seen.size(), 10u);
    EXPECT_EQ(seen.front().frame_number, 0u) << "each stream numbers frames from 0";
    expect_ordered(seen);
    EXPECT_EQ(producer->ledger().delivered, seen.size());
    EXPECT_TRUE(consumer.errors().empty()) << consumer.errors().front();
  }
}

TEST_P(ProducerConformance, EachStartRunsForItsOwnFrameCount) {
  test::Watchdog watchdog(driver().budget, "EachStartRunsForItsOwnFrameCount");
  constexpr std::uint64_t kConfigured = 12;
  auto producer = make_producer({.frame_count = kConfigured});
  const std::size_t pool_capacity = [&] {
    producer->format();
    return producer->stats().pool.capacity;
  }();
  struct Run {
    std::optional<std::uint64_t> asked;
    std::uint64_t expected;
  };
  for (const Run run : {Run{5, 5}, Run{30, 30}, Run{std::nullopt, kConfigured}}) {
    SCOPED_TRACE("asked " + (run.asked ? std::to_string(*run.asked) : std::string("nothing")));
    PrimaryConsumer consumer(*producer, {.capacity = 32, .ramp_origin = driver().ramp_origin});
    producer->start_stream({.frame_count = run.asked});
    ASSERT_TRUE(producer->wait_until_stopped(driver().budget));
    consumer.join();
    const ProducerStats stats = producer->stats();
    EXPECT_EQ(stats.stop_reason, StopReason::finished) << stats.stop_message;
    EXPECT_EQ(stats.pool.capacity, pool_capacity) << "the same pool serves every start";
    const LedgerSnapshot ledger = producer->ledger();
    expect_balanced(ledger);
    EXPECT_EQ(ledger.produced, run.expected);
    EXPECT_EQ(ledger.lost_hw_frames, 0u);
    const auto seen = consumer.seen();
    EXPECT_EQ(seen.size(), run.expected);
    expect_ordered(seen);
    EXPECT_TRUE(consumer.errors().empty()) << consumer.errors().front();
  }
  // 0: continuous, although the source was configured for a finite count.
  PrimaryConsumer consumer(*producer, {.capacity = 32, .ramp_origin = driver().ramp_origin});
  producer->start_stream({.frame_count = 0});
  EXPECT_GE(consumer.wait_for(kConfigured + 10, driver().budget), kConfigured + 10);
  EXPECT_TRUE(producer->is_streaming()) << "a continuous start runs past the configured count";
  producer->stop_stream();
  consumer.join();
  EXPECT_EQ(producer->stats().stop_reason, StopReason::requested);
  expect_balanced(producer->ledger());
}

TEST_P(ProducerConformance, PrimaryAndObserversSeeTheSameFrames) {
  test::Watchdog watchdog(driver().budget, "PrimaryAndObserversSeeTheSameFrames");
  constexpr std::uint64_t kFrames = 30;
  auto producer = make_producer({.frame_count = kFrames});
  auto first = std::make_shared<std::vector<Seen>>();
  auto second = std::make_shared<std::vector<Seen>>();
  producer->register_observer(std::make_unique<RecordingObserver>(first));
  ObserverOptions every_third;
  every_third.decimation = 3;
  producer->register_observer(std::make_unique<RecordingObserver>(second), every_third);
  PrimaryConsumer consumer(*producer, {.capacity = kFrames, .ramp_origin = driver().ramp_origin});
  producer->start_stream();
  ASSERT_TRUE(producer->wait_until_stopped(driver().budget));
  consumer.join();

  const auto seen = consumer.seen();
  ASSERT_EQ(seen.size(), kFrames);
  EXPECT_EQ(*first, seen) << "the observer must see exactly the primary's frames";
  ASSERT_EQ(second->size(), (kFrames + 2) / 3);
  for (std::size_t i = 0; i < second->size(); ++i) EXPECT_EQ((*second)[i], seen[i * 3]);
}

TEST_P(ProducerConformance, LedgerBalancesWithSlowConsumer) {
  test::Watchdog watchdog(driver().budget, "LedgerBalancesWithSlowConsumer");
  constexpr std::uint64_t kFrames = 60;
  auto producer = make_producer({.frame_count = kFrames});
  // A primary of 2 slots that needs 3 ms per frame: the channel fills and frames are dropped.
  PrimaryConsumer consumer(*producer, {.capacity = 2,
                                       .ramp_origin = driver().ramp_origin,
                                       .per_frame = std::chrono::milliseconds(3)});
  producer->start_stream();
  ASSERT_TRUE(producer->wait_until_stopped(driver().budget));
  consumer.join();

  const LedgerSnapshot ledger = producer->ledger();
  expect_balanced(ledger);
  const auto seen = consumer.seen();
  EXPECT_EQ(ledger.delivered, seen.size());
  EXPECT_EQ(ledger.produced + ledger.lost_hw_frames, kFrames);
  expect_ordered(seen);
  // Every frame number is either received or listed as dropped.
  std::vector<bool> accounted(ledger.produced, false);
  for (const Seen& s : seen) {
    ASSERT_LT(s.frame_number, accounted.size());
    accounted[s.frame_number] = true;
  }
  for (const FrameRange& r : ledger.dropped_ranges) {
    for (std::uint64_t f = r.first; f <= r.last; ++f) {
      ASSERT_LT(f, accounted.size());
      EXPECT_FALSE(accounted[f]) << "frame " << f << " both received and dropped";
      accounted[f] = true;
    }
  }
  EXPECT_EQ(std::count(accounted.begin(), accounted.end(), false), 0);
  EXPECT_TRUE(consumer.errors().empty()) << consumer.errors().front();
}

TEST_P(ProducerConformance, StopWhileConsumerStalled) {
  test::Watchdog watchdog(driver().budget, "StopWhileConsumerStalled");
  auto producer = make_producer({});
  ConsumerOptions stalled;
  stalled.capacity = 4;
  stalled.ramp_origin = driver().ramp_origin;
  stalled.start_receiving = false;
  PrimaryConsumer consumer(*producer, stalled);
  auto first = std::make_shared<std::vector<Seen>>();
  producer->register_observer(std::make_unique<RecordingObserver>(first));
  producer->start_stream();
  // Wait (without sleeping) until the primary must be full: 4 queued + at least 4 more shown.
  const auto deadline = std::chrono::steady_clock::now() + driver().budget;
  while (producer->ledger().produced < 8 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  const auto before = std::chrono::steady_clock::now();
  producer->stop_stream();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(2))
      << "stop_stream() must not wait for the consumer";
  EXPECT_FALSE(producer->is_streaming());
  const LedgerSnapshot ledger = producer->ledger();
  expect_balanced(ledger);
  EXPECT_GE(ledger.produced, 8u);
  EXPECT_EQ(ledger.delivered, 4u) << "exactly the channel's capacity was accepted";
  EXPECT_EQ(ledger.dropped_for(DropCause::channel_full), ledger.dropped);

  consumer.start_receiving();
  consumer.join();  // the channel closed after the queued frames
  const auto seen = consumer.seen();
  ASSERT_EQ(seen.size(), 4u);
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i].frame_number, i);
  EXPECT_TRUE(consumer.errors().empty()) << consumer.errors().front();
}

TEST_P(ProducerConformance, BadConfigurationRejected) {
  test::Watchdog watchdog(driver().budget, "BadConfigurationRejected");
  for (const BadConfig bad : kAllBadConfigs) {
    SCOPED_TRACE(to_string(bad));
    std::optional<BadSource> case_ = driver().make_bad_source(bad);
    if (!case_) {
      std::cout << "[ NOTE     ] " << driver().name << " cannot express " << to_string(bad) << "\n";
      continue;
    }
    StreamingProducer producer(std::move(case_->source), driver().delivery);
    try {
      producer.start_stream();
      ADD_FAILURE() << "start_stream() accepted " << to_string(bad);
    } catch (const ConfigError& e) {
      const std::string message = e.what();
      for (const std::string& word : case_->message_mentions) {
        EXPECT_NE(message.find(word), std::string::npos)
            << "message \"" << message << "\" does not mention \"" << word << "\"";
      }
    }
    EXPECT_FALSE(producer.is_streaming());
    EXPECT_EQ(producer.ledger().produced, 0u);
  }
}

TEST_P(ProducerConformance, NoAllocationPerFrame) {
  test::Watchdog watchdog(driver().budget, "NoAllocationPerFrame");
  auto producer = make_producer({});
  ConsumerOptions counting;
  counting.capacity = 64;
  counting.record = false;
  PrimaryConsumer consumer(*producer, counting);
  producer->start_stream();
  constexpr std::uint64_t kWarmUp = 30;
  constexpr std::uint64_t kMeasured = 200;
  ASSERT_GE(consumer.wait_for(kWarmUp, driver().budget), kWarmUp);
  // Every thread counts: the sensor/SDK threads, the delivery loop, the consumer. This thread
  // only polls an atomic while measuring.
  const auto start = consumer.count();
  const auto before = alloc_counter::global().allocations;
  const auto deadline = std::chrono::steady_clock::now() + driver().budget;
  while (consumer.count() < start + kMeasured && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  const auto allocations = alloc_counter::global().allocations - before;
  const auto measured = consumer.count() - start;
  producer->stop_stream();
  consumer.join();
  ASSERT_GE(measured, kMeasured);
  EXPECT_EQ(allocations, 0u) << allocations << " allocations over " << measured << " frames";
}

}  // namespace daq::conformance

/// Instantiates the suite for one or more DriverUnderTest values, named by DriverUnderTest::name.
#define DAQ_CONFORMANCE_SUITE(prefix, ...)                                                   \
  INSTANTIATE_TEST_SUITE_P(prefix, ProducerConformance, ::testing::Values(__VA_ARGS__),      \
                           [](const ::testing::TestParamInfo<DriverUnderTest>& param_info) { \
                             return param_info.param.name;                                   \
                           })
