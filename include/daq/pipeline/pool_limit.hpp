// daq/pipeline/pool_limit.hpp — how many pooled frames of one size fit the memory this process
// may use. StreamingProducer refuses a larger pool with PoolTooLarge, which carries this limit so
// an embedder can word the refusal in its own terms (its options, not delivery.pool_frames).
//
// Every pooled frame is pre-faulted when the pool is created, so a pool beyond
// PageMemory::usable_memory() would get the process killed by the kernel (or its cgroup) before
// the first frame. A frame costs what it maps: FrameData::mapped_bytes(pixels, headroom).
//
// Thread-safety: pure functions of plain values (pool_limit() reads the page size and the
// process' memory limit). Allocation: only the text functions and the exception allocate.
#pragma once

#include <cstddef>
#include <string>

#include "daq/pipeline/frame_source.hpp"

namespace daq {

/// The most pooled frames of one size that fit the memory this process may use.
struct PoolLimit {
  std::size_t frame_bytes = 0;     ///< each frame's pixels
  std::size_t headroom_bytes = 0;  ///< in front of each frame's pixels
  std::size_t mapped_bytes = 0;    ///< each frame maps: FrameData::mapped_bytes()
  std::size_t usable_bytes = 0;    ///< PageMemory::usable_memory()
  std::size_t most_frames = 0;     ///< usable_bytes / mapped_bytes; 0: not even one frame

  /// "B bytes[ behind H bytes of headroom] (M bytes mapped per frame)".
  std::string frame_text() const;
  /// "the U bytes this process may use (physical memory or cgroup limit)".
  std::string usable_text() const;
};

/// The limit for frames of `frame_bytes` behind `headroom_bytes` on this machine.
PoolLimit pool_limit(std::size_t frame_bytes, std::size_t headroom_bytes) noexcept;

/// A pool beyond its PoolLimit: what() in the producer's terms (delivery.pool_frames), limit()
/// for an embedder that names its own options.
class PoolTooLarge final : public ConfigError {
 public:
  PoolTooLarge(const std::string& message, const PoolLimit& limit)
      : ConfigError(message), limit_(limit) {}
  const PoolLimit& limit() const noexcept { return limit_; }

 private:
  PoolLimit limit_;
};

}  // namespace daq
