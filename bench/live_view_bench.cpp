// What the browser live view costs the delivery thread, in the same run:
//
//   BM_FrameCopy                 the baseline: one 8 MiB frame (2048 x 2048 x 16 bit) copied
//                                into the next of 4 pre-faulted frames every 10 ms, the copy
//                                every delivery makes
//   BM_PreviewTap/<viewers>      the delivery pass of the preview's sharing tap for a pooled
//                                frame of the same size (TapRegistry::deliver: a share of the
//                                frame sent to the LatestFrame's thread, no copy), while a
//                                LiveView at 10 Hz bins the latest to 1024 x 1024 and hands it
//                                to <viewers> viewer threads that take every message (0 or 8)
//
// Times are the calling thread's CPU time per call (the delivery thread's own cost; memory
// bandwidth taken by the live view's threads shows up in it). Counters of BM_PreviewTap:
//   x_copy           tap pass / frame copy (1.0 would be one frame copy each time it runs)
//   per_frame_pct    the tap's average cost per delivered frame at the service's decimation
//                    (every 4th frame at 100 fps), in % of the frame copy
//   viewer_messages  messages the viewers took during the run
//   tap_dropped      passes the tap dropped for itself (its 2 frames were held)
#include <benchmark/benchmark.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "daq/pipeline/latest_frame.hpp"
#include "daq/pipeline/tap_registry.hpp"
#include "daq/pool/pool.hpp"
#include "live_view.hpp"

namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kSide = 2048;
constexpr std::size_t kBytes = std::size_t{kSide} * kSide * 2;
constexpr double kDecimation = 4;  // InstrumentBackend at 100 fps: ceil(100 / 30)

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

daq::FrameData adr_frame() {
  daq::FrameData frame = daq::FrameData::with_capacity(kBytes);
  std::span<std::byte> pixels = frame.writable_pixels(kBytes);
  for (std::size_t i = 0; i < kBytes; ++i) pixels[i] = static_cast<std::byte>(i * 7);
  frame.width = kSide;
  frame.height = kSide;
  frame.bit_depth = 16;
  return frame;
}

double& copy_seconds() {
  static double seconds = 0;
  return seconds;
}

void BM_FrameCopy(benchmark::State& state) {
  const daq::FrameData source = adr_frame();
  // As a delivery at 100 fps: a frame every 10 ms into the next of several pooled frames, so
  // the caches hold neither side, as for the tap below.
  std::vector<daq::FrameData> pool;
  for (int i = 0; i < 4; ++i) pool.push_back(daq::FrameData::with_capacity(kBytes));
  double cpu = 0;
  std::size_t next = 0;
  for (auto _ : state) {
    daq::FrameData& target = pool[next++ % pool.size()];
    const double t0 = thread_cpu_seconds();
    std::memcpy(target.writable_pixels(kBytes).data(), source.pixels().data(), kBytes);
    const double spent = thread_cpu_seconds() - t0;
    cpu += spent;
    benchmark::ClobberMemory();
    state.SetIterationTime(spent);
    std::this_thread::sleep_for(10ms);
  }
  copy_seconds() = cpu / static_cast<double>(state.iterations());
}
BENCHMARK(BM_FrameCopy)->UseManualTime()->Unit(benchmark::kMicrosecond)->Iterations(300);

void BM_PreviewTap(benchmark::State& state) {
  const auto viewers = static_cast<std::size_t>(state.range(0));
  // The camera's pool: the delivery loop's frames, plus the two the preview may hold.
  const auto pool = daq::Pool<daq::FrameData>::create(
      6, [] { return adr_frame(); }, [](daq::FrameData&) {});
  daq::TapRegistry registry;
  daq::SharingTap tap = registry.add_sharing_tap("preview", {.frames_held = 2});
  daq::LatestFrame latest(std::move(tap.frames));
  const daq::LatestFrameReader reader = latest.reader();
  daq::service::LiveView live([&] { return std::optional(reader); }, {.fps = 10, .max_viewers = 8});
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> messages{0};
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < viewers; ++i) {
    threads.emplace_back([&] {
      auto viewer = live.connect(1024, 1024);
      std::vector<std::byte> message;
      while (!done.load()) {
        if (viewer->take(message, 50ms)) messages.fetch_add(1);
      }
      live.disconnect(viewer);
    });
  }
  double cpu = 0;
  std::uint64_t number = 0;
  for (auto _ : state) {
    daq::LoanedFrame frame = pool->acquire();
    frame->frame_number = ++number;  // each pass a new frame, so the live view shows it
    const double t0 = thread_cpu_seconds();
    registry.deliver(frame);
    const double spent = thread_cpu_seconds() - t0;
    cpu += spent;
    state.SetIterationTime(spent);
    std::this_thread::sleep_for(10ms);  // 100 fps, as the ADR load delivers
  }
  done.store(true);
  for (auto& t : threads) t.join();
  const double per_call = cpu / static_cast<double>(state.iterations());
  state.counters["x_copy"] = per_call / copy_seconds();
  state.counters["per_frame_pct"] = 100.0 * per_call / kDecimation / copy_seconds();
  state.counters["viewer_messages"] = static_cast<double>(messages.load());
  state.counters["tap_dropped"] = static_cast<double>(registry.stats()[0].dropped);
}
BENCHMARK(BM_PreviewTap)
    ->Arg(0)
    ->Arg(8)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(300);

}  // namespace

BENCHMARK_MAIN();
