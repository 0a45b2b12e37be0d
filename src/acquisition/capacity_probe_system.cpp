// capacity_probe_system.cpp — the probes' time budget, free space, cores, and probe_machine().
#include <sched.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <system_error>

#include "daq/acquisition/capacity_probe.hpp"
#include "daq/pool/page_memory.hpp"

namespace daq::acquisition {

double probe_seconds(ProbeMode mode) noexcept {
  return mode == ProbeMode::quick ? 0.3 : 1.5;
}

std::uint64_t free_bytes(const std::filesystem::path& directory) {
  struct statvfs info {};
  if (::statvfs(directory.c_str(), &info) != 0) {
    throw std::system_error(errno, std::generic_category(), "statvfs " + directory.string());
  }
  return std::uint64_t{info.f_bavail} * info.f_frsize;
}

double available_cores() noexcept {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return 1.0;
  return CPU_COUNT(&set);
}

MachineResources probe_machine(const RunRequirement& run, const ProbeTarget& target,
                               ProbeMode mode) {
  MachineResources machine;
  if (run.compression != storage::Compression::none) {
    const auto compression =
        probe_compression(run.compression, target.sample_frame, target.elem_size, mode);
    machine.compress_bytes_per_core_s = compression.bytes_per_core_s;
    machine.compression_ratio = compression.ratio;
  }
  const auto chunk_bytes = static_cast<std::size_t>(
      std::ceil(static_cast<double>(run.frame_bytes) / machine.compression_ratio));
  const auto disk = probe_disk_write(target.directory, std::max<std::size_t>(chunk_bytes, 1),
                                     disk_write_path(run), mode);
  machine.disk_bytes_per_s = disk.bytes_per_s;
  machine.disk_cpu_s_per_byte = disk.cpu_s_per_byte;
  machine.copy_bytes_per_s = probe_frame_copy(run.frame_bytes, mode);
  machine.camera_cpu_s_per_frame = target.camera_cpu_s_per_frame;
  machine.cores = available_cores();
  machine.free_bytes = free_bytes(target.directory);
  machine.usable_memory_bytes = PageMemory::usable_memory();
  return machine;
}

}  // namespace daq::acquisition
