// Instrument: several series with one open camera (the pool mapped once), stop vs abort, and
// status() read from another thread while a series runs. The simulated camera throughout.
#include "daq/acquisition/instrument.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "daq/pipeline/frame_source.hpp"
#include "daq/pipeline/observer.hpp"
#include "daq/pool/alloc_counter.hpp"
#include "daq/pool/frame_data.hpp"
#include "daq/pool/page_memory.hpp"
#include "daq/storage/hdf5_reader.hpp"
#include "temp_dir.hpp"
#include "watchdog.hpp"

namespace daq::acquisition {
namespace {

std::uint64_t thread_allocations() noexcept {
  return alloc_counter::this_thread().allocations;
}

Settings small_series(const std::filesystem::path& out, std::uint64_t frames) {
  Settings s;
  set(s, "width", "64");
  set(s, "height", "48");
  set(s, "fps", "0");
  set(s, "pool-frames", "8");
  set(s, "frames", std::to_string(frames));
  set(s, "out", out.string());
  apply_defaults(s);
  return s;
}

bool balanced(const Summary& s) {
  return s.frames_produced == s.frames_written + s.frames_dropped;
}

std::uint64_t frames_in_file(const std::filesystem::path& path) {
  return storage::Hdf5Reader(path).frames();
}

/// Counts the frames and records the pixel buffers they came in (at most 64 distinct ones).
class BufferAddresses final : public FrameObserver {
 public:
  void on_frame(const FrameView& frame) override {
    frames_.fetch_add(1, std::memory_order_relaxed);
    const std::byte* data = frame.pixels().data();
    const std::size_t n = count_.load(std::memory_order_relaxed);
    if (std::find(seen_.begin(), seen_.begin() + n, data) == seen_.begin() + n && n < kMax) {
      seen_[n] = data;
      count_.store(n + 1, std::memory_order_release);
    }
  }
  std::string_view name() const noexcept override { return "buffer_addresses"; }
  std::uint64_t frames() const noexcept { return frames_.load(std::memory_order_relaxed); }
  /// The buffers seen so far; call between series.
  std::set<const std::byte*> seen() const {
    return {seen_.begin(), seen_.begin() + count_.load(std::memory_order_acquire)};
  }

 private:
  static constexpr std::size_t kMax = 64;
  std::array<const std::byte*, kMax> seen_{};
  std::atomic<std::size_t> count_{0};
  std::atomic<std::uint64_t> frames_{0};
};

TEST(Instrument, SeveralSeriesShareOneCameraAndOnePool) {
  const test::Watchdog watchdog(std::chrono::seconds(120), "several series");
  const test::TempDir dir;
  Instrument instrument({.thread_allocations = &thread_allocations});
  instrument.prepare(small_series(dir / "a.h5", 200));
  auto addresses = std::make_unique<BufferAddresses>();
  const BufferAddresses& buffers = *addresses;
  instrument.register_observer(std::move(addresses));
  std::uint64_t heap_frames = 0;  // a pool frame not free within the acquire timeout
  for (const char* name : {"a.h5", "b.h5", "c.h5"}) {
    if (std::string_view(name) != "a.h5") instrument.prepare(small_series(dir / name, 200));
    const Summary summary = instrument.run();
    EXPECT_EQ(summary.error, "") << name;
    EXPECT_EQ(summary.frames_produced, 200u) << name;
    EXPECT_EQ(summary.frames_written + summary.frames_dropped, 200u) << name;
    EXPECT_EQ(summary.pool_capacity, 8u) << name;
    EXPECT_EQ(summary.hot_path_allocations_per_frame, 0.0) << name;
    EXPECT_EQ(frames_in_file(dir / name), summary.frames_written) << name;
    heap_frames += summary.fallback_allocations;
  }
  EXPECT_EQ(instrument.camera_openings(), 1u) << "the camera and its pool were set up once";
  EXPECT_EQ(buffers.frames(), 600u) << "one producer showed the observer all three series";
  // The pool lends any of its 8 buffers, so a later series may use one the first did not; all
  // three together stay within those 8 (plus heap frames, counted), as the pool stays mapped.
  EXPECT_LE(buffers.seen().size(), 8u + heap_frames)
      << "every series' frames came in the one pool of 8 (or a counted heap frame)";

  Settings wider = small_series(dir / "d.h5", 20);
  set(wider, "width", "128");
  instrument.prepare(wider);
  EXPECT_EQ(instrument.camera_openings(), 2u) << "a new frame size needs a new pool";
  EXPECT_EQ(instrument.run().frames_produced, 20u);
  EXPECT_EQ(storage::Hdf5Reader(dir / "d.h5").width(), 128u);
}

TEST(Instrument, SharingTapsGetFramesOfTheirOwnInThePool) {
  const test::Watchdog watchdog(std::chrono::seconds(120), "sharing tap");
  const test::TempDir dir;
  Instrument instrument({.tap_frames_held = 2});
  EXPECT_THROW((void)instrument.add_sharing_tap("preview", {.frames_held = 2}), std::logic_error);
  instrument.prepare(small_series(dir / "a.h5", 100));
  EXPECT_THROW((void)instrument.add_sharing_tap("preview", {.frames_held = 3}),
               std::invalid_argument);
  // Received by nobody: the tap keeps its two frames for the whole series.
  SharingTap tap = instrument.add_sharing_tap("preview", {.frames_held = 2});
  const Summary summary = instrument.run();
  EXPECT_EQ(summary.error, "");
  EXPECT_EQ(summary.pool_capacity, 10u) << "--pool-frames 8 plus the tap's 2";
  EXPECT_EQ(summary.frames_produced, 100u);
  EXPECT_TRUE(balanced(summary));
  EXPECT_EQ(frames_in_file(dir / "a.h5"), summary.frames_written);
  ASSERT_EQ(tap.frames.size(), 2u);
  // Between series the status shows the camera's pool as it is now: the tap's frames are out
  // until whoever holds them lets go.
  EXPECT_EQ(instrument.status().pool_in_use, 2u);
  std::optional<HeldFrame> held = tap.frames.try_recv();
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(instrument.status().pool_in_use, 2u) << "received, still held";
  held.reset();
  EXPECT_EQ(instrument.status().pool_in_use, 1u);
  (void)tap.frames.try_recv();
  EXPECT_EQ(instrument.status().pool_in_use, 0u);
  EXPECT_EQ(instrument.status().pool_capacity, 10u);
}

TEST(Instrument, SeriesOfOtherLengthsKeepTheCameraAndThePool) {
  const test::Watchdog watchdog(std::chrono::seconds(120), "series of other lengths");
  const test::TempDir dir;
  Instrument instrument({.thread_allocations = &thread_allocations});
  instrument.prepare(small_series(dir / "f0.h5", 30));
  auto addresses = std::make_unique<BufferAddresses>();
  const BufferAddresses& buffers = *addresses;
  instrument.register_observer(std::move(addresses));
  std::uint64_t frames_seen = 0;
  std::uint64_t heap_frames = 0;
  for (const std::uint64_t frames : {30u, 7u, 120u, 1u}) {
    const std::string name = "f" + std::to_string(frames) + ".h5";
    instrument.prepare(small_series(dir.path() / name, frames));
    const Summary summary = instrument.run();
    EXPECT_EQ(summary.error, "") << name;
    EXPECT_EQ(summary.frames_produced, frames) << name;
    EXPECT_TRUE(balanced(summary)) << name;
    EXPECT_EQ(frames_in_file(dir.path() / name), summary.frames_written) << name;
    // Measured after a warm-up of a pass over the pool and two frames: not for a shorter series.
    if (frames >= summary.pool_capacity + 4) {
      EXPECT_EQ(summary.hot_path_allocations_per_frame, 0.0) << name;
    } else {
      EXPECT_FALSE(summary.hot_path_allocations_per_frame.has_value()) << name;
    }
    frames_seen += frames;
    heap_frames += summary.fallback_allocations;
  }
  // A series bounded by its duration: open-ended for the camera, ended by the instrument.
  Settings timed = small_series(dir / "timed.h5", 0);
  timed.camera.given.erase("--frames");
  set(timed, "duration", "0.2");
  apply_defaults(timed);
  ASSERT_EQ(timed.camera.frames, 0u);
  instrument.prepare(timed);
  const Summary summary = instrument.run();
  EXPECT_EQ(summary.error, "");
  EXPECT_GT(summary.frames_written, 0u);
  EXPECT_EQ(frames_in_file(dir / "timed.h5"), summary.frames_written);
  frames_seen += summary.frames_produced;
  heap_frames += summary.fallback_allocations;

  EXPECT_EQ(instrument.camera_openings(), 1u)
      << "the frame count and the duration are the series', not the camera's";
  EXPECT_EQ(buffers.frames(), frames_seen) << "the observer stayed on the one producer";
  EXPECT_LE(buffers.seen().size(), 8u + heap_frames)
      << "every series' frames came in the one pool of 8 (or a counted heap frame)";
}

TEST(Instrument, BadSettingsNameTheFlagAndCreateNoFile) {
  const test::TempDir dir;
  Instrument instrument;
  Settings bad = small_series(dir / "bad.h5", 10);
  set(bad, "bit-depth", "13");
  try {
    instrument.prepare(bad);
    ADD_FAILURE() << "bit depth 13 was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--bit-depth: ", 0), 0u) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.h5"));
}

/// Runs an open-ended series and calls `end` on it once `frames` frames are in the file.
Summary run_until(Instrument& instrument, const std::filesystem::path& out, std::uint64_t frames,
                  void (Instrument::*end)() noexcept) {
  Settings s = small_series(out, 0);
  set(s, "fps", "2000");
  instrument.prepare(s);
  return instrument.run([&](const Status& status) {
    if (status.frames_written >= frames) (instrument.*end)();
  });
}

TEST(Instrument, StopFinishesTheFileWithEveryDeliveredFrame) {
  const test::Watchdog watchdog(std::chrono::seconds(60), "stop");
  const test::TempDir dir;
  Instrument instrument;
  const Summary summary = run_until(instrument, dir / "stopped.h5", 10, &Instrument::stop);
  EXPECT_TRUE(summary.interrupted);
  EXPECT_EQ(summary.error, "");
  EXPECT_GE(summary.frames_written, 10u);
  EXPECT_TRUE(balanced(summary));
  EXPECT_EQ(summary.dropped_by_cause.count("aborted"), 0u) << "stop writes what was delivered";
  EXPECT_EQ(frames_in_file(dir / "stopped.h5"), summary.frames_written);
}

TEST(Instrument, APoolBeyondMemoryNamesTheLimitOfPoolFramesNotOfTheWholePool) {
  // Frames of about a hundredth of the usable memory: the pool is refused before it is mapped.
  const std::size_t usable = PageMemory::usable_memory();
  constexpr std::size_t kWidth = 16384;  // 16-bit pixels
  const std::size_t height = std::clamp<std::size_t>(usable / (100 * kWidth * 2), 1, 32768);
  const std::size_t frame_bytes = kWidth * height * 2;
  const std::size_t fits = usable / FrameData::mapped_bytes(frame_bytes);
  constexpr std::size_t kTapFrames = 2;
  ASSERT_GT(fits, kTapFrames);
  ASSERT_LT(fits, 4096u) << "--pool-frames' own limit";
  const std::size_t most = fits - kTapFrames;  // the taps' frames are in the pool too
  const test::TempDir dir;
  Instrument instrument({.tap_frames_held = kTapFrames});
  Settings s = small_series(dir.path() / "refused.h5", 1);
  set(s, "width", std::to_string(kWidth));
  set(s, "height", std::to_string(height));
  set(s, "pool-frames", std::to_string(most + 1));
  try {
    instrument.prepare(s);
    FAIL() << "a pool of " << fits + 1 << " frames of " << frame_bytes << " bytes was accepted";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("--pool-frames: must be 1.." + std::to_string(most) + " for frames of " +
                             std::to_string(frame_bytes) + " bytes (",
                         0),
              0u)
        << what;
    EXPECT_NE(what.find(", got " + std::to_string(most + 1) + ": the pool of " +
                        std::to_string(fits + 1) + " frames (2 for the instrument's taps) " +
                        "would exceed the " + std::to_string(usable) + " bytes"),
              std::string::npos)
        << what;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "refused.h5"));
}

TEST(Instrument, AbortLeavesAValidFileAndCountsWhatItDiscarded) {
  const test::Watchdog watchdog(std::chrono::seconds(60), "abort");
  const test::TempDir dir;
  Instrument instrument;
  const Summary summary = run_until(instrument, dir / "aborted.h5", 10, &Instrument::abort);
  EXPECT_TRUE(summary.interrupted);
  EXPECT_GE(summary.frames_written, 10u);
  EXPECT_TRUE(balanced(summary)) << "discarded frames are counted as dropped";
  const auto aborted = summary.dropped_by_cause.find("aborted");
  const std::uint64_t discarded = aborted == summary.dropped_by_cause.end() ? 0 : aborted->second;
  EXPECT_LE(discarded, summary.frames_dropped);
  EXPECT_EQ(summary.missing_frames.empty(), summary.frames_dropped == 0)
      << "every frame not in the file is listed";
  EXPECT_EQ(frames_in_file(dir / "aborted.h5"), summary.frames_written) << "the file is valid";
}

TEST(Instrument, StopBeforeRunEndsTheSeriesAtOnce) {
  const test::Watchdog watchdog(std::chrono::seconds(60), "stop before run");
  const test::TempDir dir;
  Instrument instrument;
  Settings s = small_series(dir / "early.h5", 0);
  set(s, "fps", "10");
  instrument.prepare(s);
  instrument.stop();
  const Summary summary = instrument.run();
  EXPECT_TRUE(summary.interrupted);
  EXPECT_TRUE(balanced(summary));
  EXPECT_EQ(frames_in_file(dir / "early.h5"), summary.frames_written);
}

TEST(Instrument, StatusIsReadableFromAnotherThreadDuringASeries) {
  const test::Watchdog watchdog(std::chrono::seconds(60), "status");
  const test::TempDir dir;
  Instrument instrument;
  Settings s = small_series(dir / "watched.h5", 0);
  set(s, "fps", "2000");
  instrument.prepare(s);
  EXPECT_EQ(instrument.status().state, SeriesState::idle);
  std::atomic<bool> saw_acquiring{false};
  std::thread reader([&] {
    for (;;) {
      const Status status = instrument.status();
      if (status.state == SeriesState::acquiring && status.frames_written >= 20) {
        EXPECT_EQ(status.current_file, (dir / "watched.h5").string());
        EXPECT_EQ(status.pool_capacity, 8u);
        EXPECT_LE(status.pool_in_use, status.pool_capacity);
        saw_acquiring = true;
        instrument.stop();
        return;
      }
      std::this_thread::yield();
    }
  });
  const Summary summary = instrument.run();
  reader.join();
  EXPECT_TRUE(saw_acquiring);
  const Status after = instrument.status();
  EXPECT_EQ(after.state, SeriesState::idle);
  EXPECT_EQ(after.frames_written, summary.frames_written);
  EXPECT_EQ(after.last_error, "");
}

}  // namespace
}  // namespace daq::acquisition
