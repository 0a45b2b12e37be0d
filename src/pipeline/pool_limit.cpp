// pool_limit.cpp — the most pooled frames that fit (daq/pipeline/pool_limit.hpp).
#include "daq/pipeline/pool_limit.hpp"

#include "daq/pool/frame_data.hpp"
#include "daq/pool/page_memory.hpp"

namespace daq {

PoolLimit pool_limit(std::size_t frame_bytes, std::size_t headroom_bytes) noexcept {
  PoolLimit limit{.frame_bytes = frame_bytes,
                  .headroom_bytes = headroom_bytes,
                  .mapped_bytes = FrameData::mapped_bytes(frame_bytes, headroom_bytes),
                  .usable_bytes = PageMemory::usable_memory()};
  limit.most_frames = limit.usable_bytes / limit.mapped_bytes;
  return limit;
}

std::string PoolLimit::frame_text() const {
  return std::to_string(frame_bytes) + " bytes" +
         (headroom_bytes == 0
              ? std::string()
              : " behind " + std::to_string(headroom_bytes) + " bytes of headroom") +
         " (" + std::to_string(mapped_bytes) + " bytes mapped per frame)";
}

std::string PoolLimit::usable_text() const {
  return "the " + std::to_string(usable_bytes) +
         " bytes this process may use (physical memory or cgroup limit)";
}

}  // namespace daq
