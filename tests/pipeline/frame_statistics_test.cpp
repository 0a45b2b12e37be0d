#include "daq/pipeline/observers/frame_statistics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <latch>
#include <numeric>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "daq/pipeline/tap_registry.hpp"
#include "daq/pool/alloc_counter.hpp"
#include "daq/pool/frame_data.hpp"
#include "watchdog.hpp"

namespace daq {
namespace {

using namespace std::chrono_literals;

#ifdef DAQ_SANITIZED
constexpr std::uint64_t kConcurrentFrames = 2'000;
#else
constexpr std::uint64_t kConcurrentFrames = 20'000;
#endif

template <class Pixel>
FrameData frame_of(const std::vector<Pixel>& values, std::uint32_t bit_depth,
                   std::uint64_t number = 0, std::uint64_t timestamp_ns = 0) {
  const std::size_t bytes = values.size() * sizeof(Pixel);
  FrameData frame = FrameData::with_capacity(std::max<std::size_t>(bytes, 1));
  frame.frame_number = number;
  frame.timestamp_ns = timestamp_ns;
  frame.width = static_cast<std::uint32_t>(values.size());
  frame.height = 1;
  frame.bit_depth = bit_depth;
  auto out = frame.writable_pixels(bytes);
  if (bytes != 0) std::memcpy(out.data(), values.data(), bytes);
  return frame;
}

FrameStatisticsOptions with_bins(std::size_t bins, std::size_t samples = 0) {
  FrameStatisticsOptions options;
  options.histogram_bins = bins;
  options.histogram_samples = samples;
  return options;
}

TEST(FrameStatistics, RejectsBinCountsOutOfRange) {
  EXPECT_THROW(FrameStatistics(with_bins(0)), std::invalid_argument);
  EXPECT_THROW(FrameStatistics(with_bins(65537)), std::invalid_argument);
  EXPECT_NO_THROW(FrameStatistics(with_bins(65536)));
}

TEST(FrameStatistics, SnapshotIsZeroBeforeTheFirstFrame) {
  FrameStatistics stats(with_bins(8));
  const auto s = stats.reader().snapshot();
  EXPECT_EQ(s.frames, 0u);
  EXPECT_EQ(s.histogram, std::vector<std::uint64_t>(8, 0));
  EXPECT_EQ(stats.name(), "frame_statistics");
}

TEST(FrameStatistics, TwelveBitRampFillsEveryBinEqually) {
  std::vector<std::uint16_t> ramp(4096);
  std::iota(ramp.begin(), ramp.end(), std::uint16_t{0});
  FrameStatistics stats(with_bins(16));
  const FrameData frame = frame_of(ramp, 12, 42);
  stats.on_frame(frame.view());
  const auto s = stats.reader().snapshot();
  EXPECT_EQ(s.frames, 1u);
  EXPECT_EQ(s.frame_number, 42u);
  EXPECT_EQ(s.bit_depth, 12u);
  EXPECT_EQ(s.pixel_count, 4096u);
  EXPECT_EQ(s.min, 0u);
  EXPECT_EQ(s.max, 4095u);
  EXPECT_DOUBLE_EQ(s.mean, 2047.5);
  EXPECT_EQ(s.histogram_samples, 4096u);
  EXPECT_EQ(s.histogram, std::vector<std::uint64_t>(16, 256));
}

template <class Pixel>
void expect_exact_min_max_mean(std::uint32_t bit_depth, std::size_t count) {
  std::mt19937_64 rng(count);
  const std::uint64_t top = (std::uint64_t{1} << bit_depth) - 1;
  std::vector<Pixel> values(count);
  for (auto& v : values) v = static_cast<Pixel>(rng() % (top + 1));
  FrameStatistics stats(with_bins(64));
  const FrameData frame = frame_of(values, bit_depth);
  stats.on_frame(frame.view());
  const auto s = stats.reader().snapshot();
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  const double sum = std::accumulate(values.begin(), values.end(), 0.0);
  EXPECT_EQ(s.min, *lo) << "bit depth " << bit_depth << ", " << count << " pixels";
  EXPECT_EQ(s.max, *hi) << "bit depth " << bit_depth << ", " << count << " pixels";
  EXPECT_NEAR(s.mean, sum / static_cast<double>(count), 1e-6 * static_cast<double>(top));
  EXPECT_EQ(std::accumulate(s.histogram.begin(), s.histogram.end(), std::uint64_t{0}), count);
}

TEST(FrameStatistics, MinMaxMeanAreExactForEveryPixelSize) {
  for (std::size_t count : {1u, 63u, 64u, 1000u, 70'001u}) {  // blocks of 64 and a tail
    expect_exact_min_max_mean<std::uint8_t>(8, count);
    expect_exact_min_max_mean<std::uint16_t>(16, count);
    expect_exact_min_max_mean<std::uint16_t>(12, count);
    expect_exact_min_max_mean<std::uint32_t>(32, count);
  }
}

TEST(FrameStatistics, ValuesAboveTheBitDepthLandInTheLastBin) {
  FrameStatistics stats(with_bins(4));
  const FrameData frame = frame_of(std::vector<std::uint16_t>{0, 1024, 4095, 5000, 65535}, 12);
  stats.on_frame(frame.view());
  const auto s = stats.reader().snapshot();
  EXPECT_EQ(s.histogram, (std::vector<std::uint64_t>{1, 1, 0, 3}));
  EXPECT_EQ(s.max, 65535u);
}

TEST(FrameStatistics, HistogramSamplesAreSpreadEvenly) {
  // 10,000 pixels, first half 0 and second half 255, 100 samples: 50 in each end bin.
  std::vector<std::uint8_t> values(10'000, 0);
  std::fill(values.begin() + 5000, values.end(), std::uint8_t{255});
  FrameStatistics stats(with_bins(2, 100));
  const FrameData frame = frame_of(values, 8);
  stats.on_frame(frame.view());
  const auto s = stats.reader().snapshot();
  EXPECT_EQ(s.histogram_samples, 100u);
  EXPECT_EQ(s.histogram, (std::vector<std::uint64_t>{50, 50}));
  EXPECT_DOUBLE_EQ(s.mean, 127.5);  // the mean still covers every pixel
}

TEST(FrameStatistics, FrameRateFollowsTimestamps) {
  FrameStatistics stats(with_bins(1));
  const std::vector<std::uint8_t> values(16, 1);
  for (std::uint64_t n = 0; n < 20; ++n) {
    const FrameData frame = frame_of(values, 8, n, 1'000'000'000 + n * 10'000'000);  // 100 Hz
    stats.on_frame(frame.view());
  }
  EXPECT_NEAR(stats.reader().snapshot().frame_rate_hz, 100.0, 1e-6);
  for (std::uint64_t n = 20; n < 80; ++n) {  // now 50 Hz: the smoothed rate converges
    const FrameData frame = frame_of(values, 8, n, 1'190'000'000 + (n - 19) * 20'000'000);
    stats.on_frame(frame.view());
  }
  EXPECT_NEAR(stats.reader().snapshot().frame_rate_hz, 50.0, 0.5);
}

TEST(FrameStatistics, UnsupportedBitDepthThrows) {
  FrameStatistics stats;
  const FrameData frame = frame_of(std::vector<std::uint8_t>{1, 2}, 0);
  EXPECT_THROW(stats.on_frame(frame.view()), std::invalid_argument);
  EXPECT_EQ(stats.reader().snapshot().frames, 0u);
}

TEST(FrameStatistics, ReaderOutlivesTheObserverRegisteredInARegistry) {
  TapRegistry registry;
  auto owned = std::make_unique<FrameStatistics>(with_bins(4));
  const FrameStatisticsReader reader = owned->reader();
  ObserverOptions every_other;
  every_other.decimation = 2;
  const auto handle = registry.register_observer(std::move(owned), every_other);
  for (std::uint64_t n = 0; n < 5; ++n) {
    const FrameData frame = frame_of(std::vector<std::uint8_t>(8, 7), 8, n);
    registry.deliver(frame.view());
  }
  EXPECT_EQ(registry.stats()[0].name, "frame_statistics");
  EXPECT_TRUE(registry.unregister(handle));  // destroys the observer
  const auto s = reader.snapshot();
  EXPECT_EQ(s.frames, 3u);  // frames 0, 2, 4
  EXPECT_EQ(s.frame_number, 4u);
  EXPECT_EQ(s.min, 7u);
}

TEST(FrameStatistics, OnFrameAndReadIntoAllocateNothing) {
  FrameStatistics stats(with_bins(256, 1000));
  std::vector<std::uint16_t> values(100'000);
  std::iota(values.begin(), values.end(), std::uint16_t{0});
  const FrameData frame = frame_of(values, 16);
  FrameStatisticsSnapshot out;
  out.histogram.resize(256);
  const FrameStatisticsReader reader = stats.reader();
  const auto before = alloc_counter::this_thread();
  for (int i = 0; i < 100; ++i) {
    stats.on_frame(frame.view());
    reader.read_into(out);
  }
  EXPECT_EQ(alloc_counter::this_thread().allocations, before.allocations);
  EXPECT_EQ(out.frames, 100u);
}

TEST(FrameStatistics, ConcurrentReadersSeeConsistentSnapshots) {
  test::Watchdog watchdog(120s, "ConcurrentReadersSeeConsistentSnapshots");
  // Frame k is uniform with value k % 256: every field of a consistent snapshot agrees.
  constexpr std::size_t kBins = 256;
  FrameStatistics stats(with_bins(kBins, 64));
  std::vector<FrameData> frames;
  for (std::uint64_t v = 0; v < 256; ++v) {
    frames.push_back(frame_of(std::vector<std::uint8_t>(4096, static_cast<std::uint8_t>(v)), 8));
  }
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> torn{0};
  std::atomic<std::uint64_t> reads{0};
  const FrameStatisticsReader reader = stats.reader();
  std::latch started(2);
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      FrameStatisticsSnapshot s;
      std::uint64_t last_frames = 0;
      reader.read_into(s);
      started.count_down();
      while (!done.load()) {
        reader.read_into(s);
        if (s.frames == 0) continue;
        const std::uint64_t v = s.frame_number % 256;
        const bool ok = s.min == v && s.max == v && s.mean == static_cast<double>(v) &&
                        s.histogram[v] == s.histogram_samples && s.frames >= last_frames &&
                        std::accumulate(s.histogram.begin(), s.histogram.end(), std::uint64_t{0}) ==
                            s.histogram_samples;
        if (!ok) torn.fetch_add(1);
        last_frames = s.frames;
        reads.fetch_add(1);
      }
    });
  }
  started.wait();
  for (std::uint64_t k = 0; k < kConcurrentFrames; ++k) {
    FrameData& frame = frames[k % 256];
    frame.frame_number = k;
    stats.on_frame(frame.view());
  }
  done.store(true);
  for (auto& t : readers) t.join();
  EXPECT_EQ(torn.load(), 0u);
  EXPECT_GT(reads.load(), 0u);
  EXPECT_EQ(reader.snapshot().frames, kConcurrentFrames);
}

}  // namespace
}  // namespace daq
