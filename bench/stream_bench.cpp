// What a zero-copy Stream V2 image costs the sender beyond handing the frame to ZeroMQ, against
// the copy it replaces, in the same run (docs/adr/0015-shared-frame-loan.md):
//
//   BM_ImageHeader   encode_image_header() for a 2048 x 2048 x 16-bit frame with every
//                    per-frame field set: the CBOR bytes written into the frame's headroom
//   BM_FrameCopy     the baseline: that frame's 8 MiB copied into the next of 4 pre-faulted
//                    buffers, what the copying send does per frame
//
// Counters of BM_ImageHeader: header_bytes (the encoded header's size) and x_copy (one header
// encode / one frame copy; the copy timed in a calibration pass of the same run, median of 31).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <vector>

#include "daq/pool/page_memory.hpp"
#include "daq/stream/messages.hpp"

namespace {

constexpr std::uint32_t kSide = 2048;
constexpr std::size_t kFrameBytes = std::size_t{kSide} * kSide * 2;

daq::stream::SeriesStart series() {
  daq::stream::SeriesStart s;
  s.series_id = 7;
  s.series_unique_id = "0b5e4c1a-6f0e-4d7b-9a61-3c2d1e0f9a8b";
  s.arm_date = "2026-12-05T09:30:12.123456Z";
  s.width = kSide;
  s.height = kSide;
  s.bit_depth = 16;
  return s;
}

daq::FrameMetadata frame() {
  daq::FrameMetadata m;
  m.width = kSide;
  m.height = kSide;
  m.bit_depth = 16;
  m.hw_frame_nr = 1'234'567;
  m.timestamp_ns = 1'765'000'000'123'456'789;
  m.exposure_ms = 9.5;
  m.temperature_c = -20.25;
  m.binning = daq::Binning{1, 1};
  return m;
}

// Seconds per 8 MiB copy into the next of 4 pre-faulted buffers, the median of 31.
double frame_copy_seconds() {
  static const double seconds = [] {
    daq::PageMemory source = daq::PageMemory::allocate(kFrameBytes);
    std::memset(source.data(), 0x5a, kFrameBytes);
    std::vector<daq::PageMemory> targets;
    for (int i = 0; i < 4; ++i) targets.push_back(daq::PageMemory::allocate(kFrameBytes));
    std::array<double, 31> times{};
    for (std::size_t i = 0; i < times.size(); ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      std::memcpy(targets[i % targets.size()].data(), source.data(), kFrameBytes);
      benchmark::ClobberMemory();
      times[i] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
  }();
  return seconds;
}

void BM_ImageHeader(benchmark::State& state) {
  const double copy_s = frame_copy_seconds();  // before the timed loop
  const daq::stream::SeriesStart s = series();
  daq::FrameMetadata m = frame();
  const daq::stream::ImagePayload payload{daq::stream::PixelType::uint16,
                                          daq::storage::Compression::none, kFrameBytes};
  std::array<std::byte, 4096> headroom{};
  std::size_t size = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    ++m.frame_number;
    m.timestamp_ns += 10'000'000;
    size = daq::stream::encode_image_header(headroom, s, m, daq::stream::image_times(m, 0),
                                            payload);
    benchmark::DoNotOptimize(headroom.data());
    benchmark::ClobberMemory();
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  state.counters["header_bytes"] = static_cast<double>(size);
  if (state.iterations() > 0) {
    state.counters["x_copy"] = elapsed / static_cast<double>(state.iterations()) / copy_s;
  }
}
BENCHMARK(BM_ImageHeader);

void BM_FrameCopy(benchmark::State& state) {
  daq::PageMemory source = daq::PageMemory::allocate(kFrameBytes);
  std::memset(source.data(), 0x5a, kFrameBytes);
  std::vector<daq::PageMemory> targets;
  for (int i = 0; i < 4; ++i) targets.push_back(daq::PageMemory::allocate(kFrameBytes));
  std::size_t next = 0;
  for (auto _ : state) {
    std::memcpy(targets[next].data(), source.data(), kFrameBytes);
    benchmark::ClobberMemory();
    next = (next + 1) % targets.size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(kFrameBytes));
}
BENCHMARK(BM_FrameCopy)->Unit(benchmark::kMillisecond);

}  // namespace
BENCHMARK_MAIN();
