// InstrumentBackend without the network: several series through the narrow interface the
// service drives, its refusals, status and the preview read from other threads while a series
// runs (the concurrency that ThreadSanitizer checks here: no gRPC in this test).
#include "daq/service/instrument_backend.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "daq/pool/alloc_counter.hpp"
#include "daq/service/service_error.hpp"
#include "temp_dir.hpp"
#include "watchdog.hpp"

namespace daq::service {
namespace {

using namespace std::chrono_literals;
using test::TempDir;
using test::Watchdog;

std::uint64_t thread_allocations() noexcept {
  return alloc_counter::this_thread().allocations;
}

acquisition::Settings small_camera() {
  acquisition::Settings s;
  acquisition::set(s, "width", "64");
  acquisition::set(s, "height", "32");
  // Paced slowly enough that the camera's 64-frame SDK buffer (256 ms here) outlasts a
  // delivery thread descheduled on a loaded 2-core machine (sanitizers, a spinning reader).
  acquisition::set(s, "fps", "250");
  acquisition::set(s, "pool-frames", "16");
  return s;
}

ErrorCode refusal(const std::function<void()>& call) {
  try {
    call();
  } catch (const ServiceError& e) {
    return e.code();
  }
  ADD_FAILURE() << "the call was not refused";
  return ErrorCode::unimplemented;
}

TEST(InstrumentBackend, SeveralSeriesWithStatusAndPreviewReadMeanwhile) {
  const Watchdog watchdog(120s, "InstrumentBackend");
  const TempDir dir;
  InstrumentBackend backend(small_camera(), dir.path(),
                            {.thread_allocations = &thread_allocations});
  v1::AcquisitionConfig patch;
  patch.set_frames(200);
  EXPECT_EQ(backend.set_config(patch).frames(), 200U);
  const std::optional<LatestFrameReader> preview = backend.latest_frames();
  ASSERT_TRUE(preview.has_value());

  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> reads{0};
  std::thread reader([&] {  // a status and preview client, as the gRPC handlers are
    while (!done.load(std::memory_order_acquire)) {
      const v1::Status status = backend.status();
      EXPECT_LE(status.frames_written(), status.frames_produced());
      (void)preview->with_latest([](const FrameView& frame) { EXPECT_EQ(frame.width(), 64U); });
      reads.fetch_add(1, std::memory_order_relaxed);
    }
  });
  for (std::uint64_t series = 1; series <= 3; ++series) {
    const auto file = dir.path() / ("s" + std::to_string(series) + ".h5");
    EXPECT_EQ(backend.start(file, false), series);
    EXPECT_EQ(refusal([&] { (void)backend.start(dir.path() / "other.h5", false); }),
              ErrorCode::failed_precondition);
    EXPECT_EQ(refusal([&] { (void)backend.set_config(patch); }), ErrorCode::failed_precondition);
    const std::optional<v1::SeriesSummary> summary = backend.wait_idle(60s);
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->series_id(), series);
    EXPECT_EQ(summary->frames_produced(), 200U);
    EXPECT_EQ(summary->frames_written() + summary->frames_dropped(), 200U);
    EXPECT_EQ(summary->error(), "");
    EXPECT_EQ(summary->file(), file.string());
    const v1::Status status = backend.status();
    EXPECT_EQ(status.state(), v1::IDLE);
    EXPECT_EQ(status.series_id(), series);
    EXPECT_EQ(status.frames_written(), summary->frames_written());
  }
  done.store(true, std::memory_order_release);
  reader.join();
  EXPECT_GT(reads.load(), 0U);
  EXPECT_GT(preview->frames(), 0U);  // the preview saw frames of the series
}

TEST(InstrumentBackend, StopEndsAContinuousSeriesAndWaitIdleTimesOut) {
  const Watchdog watchdog(120s, "InstrumentBackend stop");
  const TempDir dir;
  InstrumentBackend backend(small_camera(), dir.path());
  v1::AcquisitionConfig patch;
  patch.set_frames(0);
  backend.set_config(patch);
  (void)backend.start(dir.path() / "c.h5", false);
  EXPECT_FALSE(backend.wait_idle(1ms).has_value());  // still acquiring
  backend.stop();
  const std::optional<v1::SeriesSummary> summary = backend.wait_idle(60s);
  ASSERT_TRUE(summary.has_value());
  EXPECT_TRUE(summary->interrupted());
  EXPECT_EQ(summary->error(), "");
}

TEST(InstrumentBackend, BadFieldsNameTheApiFieldAndChangeNothing) {
  const TempDir dir;
  InstrumentBackend backend(small_camera(), dir.path());
  v1::AcquisitionConfig patch;
  patch.set_bit_depth(13);
  patch.set_frames(5);
  try {
    (void)backend.set_config(patch);
    FAIL() << "bit_depth 13 was accepted";
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("bit_depth"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("--bit-depth"), std::string::npos) << e.what();
  }
  EXPECT_EQ(backend.config().bit_depth(), 16U);
  EXPECT_EQ(backend.config().frames(), 100U);
}

}  // namespace
}  // namespace daq::service
