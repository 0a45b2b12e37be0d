// daq/acquisition/capacity_probe.hpp — bounded measurements of what the machine sustains, the
// inputs of the capacity model (daq/acquisition/capacity.hpp, docs/adr/0013-capacity-check.md).
//
// Every probe is bounded in time: ProbeMode::quick ≤ about 0.5 s each, normal ≤ about 2 s.
//   probe_disk_write   writes as the HDF5 writer's file driver does (docs/adr/0009-writer-
//                      bypasses-the-page-cache.md): whole 4 KiB blocks from page-aligned memory
//                      with O_DIRECT (uncompressed frames), or through the page cache, each
//                      block dropped from it once written (compressed chunks, and filesystems
//                      that refuse O_DIRECT). The file is created unlinked (O_TMPFILE; else
//                      unlinked right after creation), so it never shows in the directory and the
//                      kernel frees it whatever happens to the process, SIGKILL included.
//   probe_frame_copy   copies frame-sized buffers into a pooled FrameData the way a driver's
//                      read_frame() does, across more memory than the caches hold.
//   probe_compression  encodes a frame with daq::storage::ChunkEncoder (one frame per chunk, as
//                      the writer stores it): input bytes per CPU-second of one core, and ratio.
//   probe_sim_camera   runs a simulated camera free-running: one frame of its pattern (the
//                      compression sample) and its own CPU time per frame (its sensor thread).
//   free_bytes, available_cores: statvfs and the CPU affinity mask.
//
// Thread-safety: the probes share nothing; run them one at a time, since each measures a
// resource the others would compete for. Allocation: the probes map their buffers (tens of MB)
// and free them before returning. Errors: std::system_error carrying errno's reason, naming the
// path; std::invalid_argument for an argument outside its stated range.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>

#include "daq/acquisition/capacity.hpp"
#include "daq/camera/sim_camera.hpp"
#include "daq/pool/frame_data.hpp"
#include "daq/storage/chunk_codec.hpp"

namespace daq::acquisition {

enum class ProbeMode { quick, normal };

/// Seconds one probe measures for (setting up and tearing down come on top).
double probe_seconds(ProbeMode mode) noexcept;

/// How the writer sends a run's chunks to the disk.
enum class DiskWritePath {
  direct,    ///< O_DIRECT: uncompressed frames of whole 4 KiB blocks
  buffered,  ///< through the page cache: compressed chunks, other frame sizes
};

/// The path the HDF5 writer takes for `run`'s chunks.
DiskWritePath disk_write_path(const RunRequirement& run) noexcept;

struct DiskProbe {
  double bytes_per_s = 0.0;
  double cpu_s_per_byte = 0.0;  ///< the writing thread's CPU time per byte
  std::uint64_t bytes_written = 0;
  bool direct = false;           ///< the blocks went with O_DIRECT
  int direct_refused_errno = 0;  ///< why not (0 when they did)
};

/// Writes `block_bytes` (rounded up to 4 KiB; the stored chunk size is a good choice) at a time
/// along `path` into an unlinked file in `directory`: at most 64 MiB (quick) or 256 MiB
/// (normal), and at most a quarter of the free space. Throws std::system_error when the
/// directory takes no file or the first block cannot be written (e.g. ENOSPC);
/// std::invalid_argument when block_bytes is 0.
DiskProbe probe_disk_write(const std::filesystem::path& directory, std::size_t block_bytes,
                           DiskWritePath path, ProbeMode mode);

/// Bytes per second of one frame copy of `frame_bytes` (> 0) into a pooled frame.
double probe_frame_copy(std::size_t frame_bytes, ProbeMode mode);

struct CompressionProbe {
  double bytes_per_core_s = 0.0;  ///< input bytes per CPU-second of one thread
  double ratio = 1.0;             ///< input bytes / encoded bytes
};

/// Encodes `frame` (whole `elem_size`-byte elements) with `compression` (not none) repeatedly.
/// Throws std::invalid_argument for none or a bad element size, std::runtime_error when the
/// encoder fails.
CompressionProbe probe_compression(storage::Compression compression,
                                   std::span<const std::byte> frame, std::size_t elem_size,
                                   ProbeMode mode);

struct SimCameraProbe {
  FrameData frame;               ///< the first frame of the configured pattern
  double cpu_s_per_frame = 0.0;  ///< the camera's own CPU time per frame, beside the copy
  std::uint64_t frames = 0;      ///< frames measured
};

/// Runs a simulated camera of `config`'s geometry and pattern free-running (its fps, frame
/// count and faults are ignored; one cycle frame). Throws ConfigError for an invalid config,
/// SourceError when the camera delivers no frame.
SimCameraProbe probe_sim_camera(SimConfig config, ProbeMode mode);

/// Bytes an unprivileged writer may still use in `directory`'s filesystem (statvfs f_bavail).
std::uint64_t free_bytes(const std::filesystem::path& directory);

/// Cores this process may run on (its CPU affinity mask; CPU quotas are not read).
double available_cores() noexcept;

/// What the writer needs to know about the data to probe a machine for a run.
struct ProbeTarget {
  std::filesystem::path directory;          ///< where the file will be written
  std::span<const std::byte> sample_frame;  ///< a frame like the run's (compression sample)
  std::size_t elem_size = 2;                ///< bytes per pixel
  double camera_cpu_s_per_frame = 0.0;      ///< from probe_sim_camera(), 0 for hardware cameras
};

/// Every measurement assess_capacity() needs for `run`: compression (only when the run
/// compresses), disk (along disk_write_path(run), in chunks of the compressed size), copy,
/// free space, cores and usable memory.
MachineResources probe_machine(const RunRequirement& run, const ProbeTarget& target,
                               ProbeMode mode);

}  // namespace daq::acquisition
