// Per-frame cost of the shared delivery loop, against a single-thread memcpy of the same frames
// measured in the same run.
//
//   BM_Memcpy/<bytes>                    the baseline: SDK buffer -> pooled frame copies, cycling
//                                        through as many buffers as the loop does (4 SDK, 8 pool)
//   BM_Pooled/<bytes>/<observers>        StreamingProducer, pool on, N no-op observers
//   BM_HeapFrames/<bytes>/0              use_pool = false (DAQ_USE_POOL=0): a heap frame per frame
//   BM_LegacyBroadcast/<bytes>/0         the deprecated subscribe_frames() path
//
// Each delivery benchmark runs a continuous ScriptedSource (whose read_frame is a copy_from_sdk,
// like a driver's) on the producer's thread; the benchmark thread is the primary consumer and
// one iteration is one frame received (Time = wall time per frame received).
// The loop's own cost is measured as CPU time of the delivery thread per frame, read by a probe
// observer (registered first, not counted in <observers>) every 16th frame: unlike wall time it
// does not depend on how busy the machine is. Counters:
//   loop_cpu_us   delivery-thread CPU time per frame (wait, acquire, copy, observers, send)
//   x_memcpy      loop_cpu_us / memcpy CPU time per frame of that size (1.0 = the copy is all)
//   overhead_us   loop_cpu_us - memcpy CPU time: what delivery adds beyond the copy
//   dropped       frames dropped (legacy: missed by the subscriber) per frame received
// Frame sizes: 64 KiB (256 x 128 x 16 bit) and 8 MiB (2048 x 2048 x 16 bit).
#include <benchmark/benchmark.h>
#include <time.h>

#include <array>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "daq/pipeline/delivery.hpp"
#include "scripted_source.hpp"

namespace {

using daq::test::ScriptedFormat;
using daq::test::ScriptedSource;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Per-frame memcpy CPU time by frame size, from BM_Memcpy (registered, so run, first).
std::map<std::int64_t, double>& memcpy_seconds() {
  static std::map<std::int64_t, double> seconds;
  return seconds;
}

ScriptedFormat format_of(std::int64_t bytes) {
  ScriptedFormat format;
  format.bit_depth = 16;
  format.width = bytes >= (1 << 20) ? 2048 : 256;
  format.height = static_cast<std::uint32_t>(bytes / 2 / format.width);
  return format;
}

class NullObserver final : public daq::FrameObserver {
 public:
  void on_frame(const daq::FrameView& frame) override {
    sum_ += frame.frame_number() + std::to_integer<std::uint64_t>(frame.pixels()[0]);
    benchmark::DoNotOptimize(sum_);
  }

 private:
  std::uint64_t sum_ = 0;
};

// Publishes (frames seen, CPU time of the delivery thread) every 16th frame.
class CpuProbe final : public daq::FrameObserver {
 public:
  struct Sample {
    std::uint64_t frames = 0;
    double cpu_seconds = 0;
  };
  void on_frame(const daq::FrameView&) override {
    if (++seen_ % 16 != 0) return;
    const Sample now{seen_, thread_cpu_seconds()};
    std::lock_guard lock(mutex_);
    sample_ = now;
  }
  Sample sample() const {
    std::lock_guard lock(mutex_);
    return sample_;
  }

 private:
  std::uint64_t seen_ = 0;
  mutable std::mutex mutex_;
  Sample sample_;
};

void BM_Memcpy(benchmark::State& state) {
  const auto bytes = static_cast<std::size_t>(state.range(0));
  std::array<daq::FrameData, 4> sdk;
  for (auto& buffer : sdk) {
    buffer = daq::FrameData::with_capacity(bytes);
    std::memset(buffer.buffer.data(), 0x5a, bytes);
  }
  std::array<daq::FrameData, 8> frames;
  for (auto& frame : frames) frame = daq::FrameData::with_capacity(bytes);
  std::size_t i = 0;
  const double start = thread_cpu_seconds();
  for (auto _ : state) {
    frames[i % frames.size()].copy_from_sdk(sdk[i % sdk.size()].buffer.data(), bytes);
    benchmark::DoNotOptimize(frames[i % frames.size()].buffer.data());
    benchmark::ClobberMemory();
    ++i;
  }
  memcpy_seconds()[state.range(0)] =
      (thread_cpu_seconds() - start) / static_cast<double>(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

enum class Path { pooled, heap_frames, legacy_broadcast };

void report(benchmark::State& state, CpuProbe::Sample first, CpuProbe::Sample last,
            std::uint64_t dropped) {
  if (last.frames > first.frames) {
    const double loop_cpu =
        (last.cpu_seconds - first.cpu_seconds) / static_cast<double>(last.frames - first.frames);
    state.counters["loop_cpu_us"] = loop_cpu * 1e6;
    const auto base = memcpy_seconds().find(state.range(0));
    if (base != memcpy_seconds().end()) {
      state.counters["x_memcpy"] = loop_cpu / base->second;
      state.counters["overhead_us"] = (loop_cpu - base->second) * 1e6;
    }
  }
  state.counters["dropped"] =
      static_cast<double>(dropped) / static_cast<double>(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
void run_delivery(benchmark::State& state, Path path) {
  daq::DeliveryOptions options;
  options.pool_frames = 8;
  options.acquire_timeout = std::chrono::milliseconds(200);  // a slow consumer waits, not drops
  options.fallback_budget_bytes = 0;
  options.use_pool = path != Path::heap_frames;
  daq::StreamingProducer producer(std::make_unique<ScriptedSource>(format_of(state.range(0))),
                                  options);
  auto owned_probe = std::make_unique<CpuProbe>();
  const CpuProbe* probe = owned_probe.get();
  producer.register_observer(std::move(owned_probe));
  for (std::int64_t i = 0; i < state.range(1); ++i) {
    producer.register_observer(std::make_unique<NullObserver>());
  }
  daq::Receiver<daq::LoanedFrame> primary;
  daq::Receiver<daq::SharedFrame> legacy;
  if (path == Path::legacy_broadcast) {
    legacy = producer.subscribe_frames(8);
  } else {
    auto [tx, rx] = daq::make_channel<daq::LoanedFrame>(8);  // = pool: never full first
    producer.register_primary_output(std::move(tx));
    primary = std::move(rx);
  }
  auto receive = [&] {
    if (path == Path::legacy_broadcast) {
      benchmark::DoNotOptimize(legacy.recv());
    } else {
      benchmark::DoNotOptimize(primary.recv());
    }
  };
  producer.start_stream();
  for (int i = 0; i < 128; ++i) receive();  // warm-up: threads running, pages and caches warm
  const CpuProbe::Sample first = probe->sample();
  for (auto _ : state) receive();
  const CpuProbe::Sample last = probe->sample();
  // Legacy subscribers are not the ledger's primary (every frame counts as no_primary there);
  // what they miss is `lagged`.
  const daq::ProducerStats stats = producer.stats();
  report(state, first, last,
         path == Path::legacy_broadcast ? stats.legacy.frames_lagged : stats.frames.dropped);
  producer.stop_stream();
}
#pragma GCC diagnostic pop

void BM_Pooled(benchmark::State& state) {
  run_delivery(state, Path::pooled);
}
void BM_HeapFrames(benchmark::State& state) {
  run_delivery(state, Path::heap_frames);
}
void BM_LegacyBroadcast(benchmark::State& state) {
  run_delivery(state, Path::legacy_broadcast);
}

constexpr std::int64_t k64KiB = 64 << 10;
constexpr std::int64_t k8MiB = 8 << 20;

BENCHMARK(BM_Memcpy)->Arg(k64KiB)->Arg(k8MiB)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Pooled)
    ->ArgsProduct({{k64KiB, k8MiB}, {0, 1, 4, 16}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_HeapFrames)
    ->Args({k64KiB, 0})
    ->Args({k8MiB, 0})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LegacyBroadcast)
    ->Args({k64KiB, 0})
    ->Args({k8MiB, 0})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
