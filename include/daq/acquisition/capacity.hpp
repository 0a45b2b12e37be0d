// daq/acquisition/capacity.hpp — the capacity model: will this machine keep up with this run?
//
// assess_capacity() compares what a run needs (RunRequirement) with what the machine was
// measured to sustain (MachineResources, see daq/acquisition/capacity_probe.hpp) and returns a
// CapacityVerdict: per resource the requirement, the measurement and the headroom (×), the
// bottleneck, the largest sustainable frame rate, and whether the run fits with the margin the
// `daq check` rule asks for (kRequiredHeadroom). The equations are in
// docs/adr/0013-capacity-check.md.
//
// Thread-safety: pure functions of plain values. Allocation: capacity_text() and
// capacity_json() build strings; assess_capacity() allocates nothing.
// Misuse: measured figures must be finite; one of zero or below leaves its resource no headroom
// (the run does not fit), and nothing divides by zero.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "daq/storage/chunk_codec.hpp"

namespace daq::acquisition {

/// A run fits when every resource has at least this headroom (available / required).
inline constexpr double kRequiredHeadroom = 1.2;

/// What the run asks for.
struct RunRequirement {
  std::size_t frame_bytes = 0;    ///< bytes of one frame as delivered
  double fps = 0.0;               ///< frames per second (> 0)
  std::uint64_t frame_count = 0;  ///< frames of a finite run; 0 = continuous
  storage::Compression compression = storage::Compression::none;
  std::size_t pool_frames = 0;  ///< pooled frames mapped before the first frame (all of them)
  std::size_t stream_pool_frames = 0;  ///< of pool_frames, the ones the --stream adds
  /// The bytes the pool maps (PoolPlan::bytes(): headroom and whole pages included).
  std::size_t pool_bytes = 0;
  unsigned writer_workers = 1;  ///< compression worker threads (used when compressed)
};

/// What the machine was measured to sustain.
struct MachineResources {
  double disk_bytes_per_s = 0.0;     ///< sequential write into the target directory, as the writer
  double disk_cpu_s_per_byte = 0.0;  ///< the writing thread's CPU time per byte written
  double copy_bytes_per_s = 0.0;     ///< one pooled frame copy (the delivery thread's memcpy)
  double camera_cpu_s_per_frame = 0.0;     ///< the camera's own CPU time per frame (0: hardware)
  double compress_bytes_per_core_s = 0.0;  ///< input bytes one core compresses per second
  double compression_ratio = 1.0;          ///< input bytes / encoded bytes (>= 1 shrinks)
  double cores = 0.0;                      ///< cores this process may run on
  std::uint64_t free_bytes = 0;            ///< free space for the file
  std::uint64_t usable_memory_bytes = 0;   ///< daq::PageMemory::usable_memory()
};

enum class Resource { disk, copy, cpu, memory, space };
inline constexpr std::size_t kResourceCount = 5;

/// "disk", "copy", "cpu", "memory", "space".
std::string_view to_string(Resource resource) noexcept;

/// One resource: the requirement and the measurement in the resource's unit (bytes/s for disk
/// and copy, cores for cpu, bytes for memory and space), and the headroom: for rates the
/// largest frame rate the resource sustains / the run's rate (= measured / required, except
/// that cpu also honours the delivery thread's one core and the compression worker count), for
/// amounts measured / required. A resource the run does not use (space of a continuous run)
/// has required 0 and infinite headroom.
struct ResourceUse {
  double required = 0.0;
  double measured = 0.0;
  double headroom = 0.0;
};

struct CpuShare {  ///< the cores the run keeps busy, by who
  double copy = 0.0;
  double camera = 0.0;
  double compression = 0.0;
  double writer = 0.0;  ///< the writer thread's system calls (the page-cache copy when buffered)
};

struct CapacityVerdict {
  RunRequirement run;
  MachineResources machine;
  std::array<ResourceUse, kResourceCount> resources{};  ///< indexed by Resource
  CpuShare cpu;
  Resource bottleneck = Resource::disk;  ///< the resource with the least headroom
  double sustainable_fps = 0.0;  ///< the largest rate every resource keeps up with (0: cannot run)
  /// The frames the free space holds (at the measured compression ratio).
  std::uint64_t frames_that_fit = 0;
  /// Continuous runs: seconds until the free space is full at the run's rate.
  double seconds_until_full = 0.0;
  bool fits = false;  ///< every resource has kRequiredHeadroom or more

  const ResourceUse& use(Resource resource) const noexcept {
    return resources[static_cast<std::size_t>(resource)];
  }
};

/// The verdict for `run` on `machine`. Precondition: run.frame_bytes > 0 and run.fps > 0
/// (the caller validates the run first); measurements that are 0 count as "none available".
CapacityVerdict assess_capacity(const RunRequirement& run,
                                const MachineResources& machine) noexcept;

/// One line for people, e.g. "needs 839 MB/s to disk; disk sustains 309 MB/s (0.37×) —
/// bottleneck: disk; sustainable ≈ 36 fps".
std::string capacity_text(const CapacityVerdict& verdict);

/// The verdict as a JSON object (keys carry their units: "required_mb_per_s", ...).
std::string capacity_json(const CapacityVerdict& verdict);

}  // namespace daq::acquisition
