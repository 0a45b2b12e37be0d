// SimCamera benchmark: a free-running 2048x2048 16-bit SimCamera (8 MiB frames)
// through the whole delivery loop to a discarding primary, against a plain single-thread
// memcpy of 8 MiB measured in the same run.
//
//   FreeRunningVsMemcpy   per iteration, alternating so that all three see the same load:
//     camera     start_stream → 128 frames received by this thread (dropped at once) →
//                stop_stream; the time runs from start_stream to the 128th frame
//     memcpy     128 memcpy of 8 MiB from one source into 16 rotating destinations
//                (like the loop's pool of 16 frames; the source stays cache-warm as
//                the SimCamera's SDK buffer does)
//     cold       the same with 16 rotating sources (every byte read from DRAM)
// The camera runs with its default SDK buffer of 64 frames, a pool of 16 and a primary channel of
// 8, so that neither the sensor nor the discarding primary (this thread) stalls the loop when the
// scheduler is slow to wake them on a shared machine.
//   Counters: camera_fps, memcpy_fps, memcpy_cold_fps, ratio = camera_fps / memcpy_fps
//   (target >= 0.9), ratio_cold = camera_fps / memcpy_cold_fps, dropped and lost frames.
//   The iteration time is the camera phase (manual time).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstring>
#include <vector>

#include "daq/camera/sim_camera.hpp"
#include "daq/pool/page_memory.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint32_t kSide = 2048;
constexpr std::size_t kFrameBytes = std::size_t{kSide} * kSide * 2;
constexpr int kFramesPerPhase = 128;
constexpr std::size_t kPoolFrames = 16;
constexpr std::size_t kChannel = 8;

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::vector<daq::PageMemory> buffers(std::size_t n) {
  std::vector<daq::PageMemory> out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(daq::PageMemory::allocate(kFrameBytes));
    std::memset(out.back().data(), static_cast<int>(i + 1), kFrameBytes);
  }
  return out;
}

double copy_phase(const std::vector<daq::PageMemory>& sources,
                  std::vector<daq::PageMemory>& destinations) {
  const auto start = Clock::now();
  for (int i = 0; i < kFramesPerPhase; ++i) {
    std::memcpy(destinations[static_cast<std::size_t>(i) % destinations.size()].data(),
                sources[static_cast<std::size_t>(i) % sources.size()].data(), kFrameBytes);
    benchmark::ClobberMemory();
  }
  return seconds(Clock::now() - start);
}

void FreeRunningVsMemcpy(benchmark::State& state) {
  daq::SimConfig config;
  config.name = "bench";
  config.width = kSide;
  config.height = kSide;
  config.bit_depth = 16;
  config.fps = 0.0;  // free-running
  daq::DeliveryOptions options;
  options.pool_frames = kPoolFrames;
  auto camera = daq::make_sim_camera(config, options);
  auto [tx, rx] = daq::make_channel<daq::LoanedFrame>(kChannel);
  auto hot = buffers(1);
  auto cold = buffers(kPoolFrames);
  auto destinations = buffers(kPoolFrames);

  double camera_s = 0, memcpy_s = 0, cold_s = 0;
  std::uint64_t frames = 0, dropped = 0, lost = 0;
  for (auto _ : state) {
    camera->register_primary_output(tx);
    const auto start = Clock::now();
    camera->start_stream();
    for (int i = 0; i < kFramesPerPhase; ++i) {
      auto frame = rx.recv();
      if (!frame) state.SkipWithError("primary channel closed");
      benchmark::DoNotOptimize(frame);
    }
    const double phase = seconds(Clock::now() - start);
    camera->stop_stream();
    while (rx.try_recv()) {
    }
    const auto ledger = camera->ledger();
    dropped += ledger.dropped;
    lost += ledger.lost_hw_frames;
    frames += kFramesPerPhase;
    camera_s += phase;
    state.SetIterationTime(phase);
    memcpy_s += copy_phase(hot, destinations);
    cold_s += copy_phase(cold, destinations);
  }
  const auto rate = [&](double s) { return s > 0 ? static_cast<double>(frames) / s : 0.0; };
  state.counters["camera_fps"] = rate(camera_s);
  state.counters["memcpy_fps"] = rate(memcpy_s);
  state.counters["memcpy_cold_fps"] = rate(cold_s);
  state.counters["ratio"] = rate(camera_s) / rate(memcpy_s);
  state.counters["ratio_cold"] = rate(camera_s) / rate(cold_s);
  state.counters["dropped"] = static_cast<double>(dropped);
  state.counters["lost"] = static_cast<double>(lost);
  state.SetItemsProcessed(static_cast<std::int64_t>(frames));
  state.SetBytesProcessed(static_cast<std::int64_t>(frames * kFrameBytes));
}
BENCHMARK(FreeRunningVsMemcpy)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
