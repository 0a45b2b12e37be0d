// capacity_probe_copy.cpp — the frame copy probe: one copy per frame into a pooled frame.
#include <algorithm>
#include <stdexcept>
#include <vector>

#include "capacity_probe_clock.hpp"
#include "daq/acquisition/capacity_probe.hpp"

namespace daq::acquisition {
namespace {

/// Bytes each side of the copy spans, so that a frame is not in the caches when it is copied
/// again (the delivery loop copies from a ring of SDK buffers into a pool of frames).
constexpr std::size_t kSpanBytes = std::size_t{32} << 20;
constexpr std::size_t kMaxBuffers = 64;

}  // namespace

double probe_frame_copy(std::size_t frame_bytes, ProbeMode mode) {
  if (frame_bytes == 0) throw std::invalid_argument("probe_frame_copy: frame_bytes must be > 0");
  const std::size_t count =
      std::clamp<std::size_t>((kSpanBytes + frame_bytes - 1) / frame_bytes, 2, kMaxBuffers);
  std::vector<PageMemory> sdk_buffers;
  std::vector<FrameData> pool;
  for (std::size_t i = 0; i < count; ++i) {
    sdk_buffers.push_back(PageMemory::allocate(frame_bytes));
    pool.push_back(FrameData::with_capacity(frame_bytes));
  }

  const double budget = probe_seconds(mode);
  const double start = detail::wall_seconds();
  double elapsed = 0.0;
  std::size_t copies = 0;
  while (copies < count || elapsed < budget) {
    // Source and target walk their rings at different strides, as camera and pool do.
    pool[copies % count].copy_from_sdk(sdk_buffers[(copies * 7 + 3) % count].data(), frame_bytes);
    ++copies;
    elapsed = detail::wall_seconds() - start;
  }
  return static_cast<double>(copies) * static_cast<double>(frame_bytes) / elapsed;
}

}  // namespace daq::acquisition
