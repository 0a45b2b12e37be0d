// capacity.cpp — the capacity model's equations (docs/adr/0013-capacity-check.md).
#include "daq/acquisition/capacity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace daq::acquisition {
namespace {

constexpr double kUnlimited = std::numeric_limits<double>::infinity();

/// `available` / `required`; nothing required is unlimited headroom, nothing available none.
double ratio_of(double available, double required) noexcept {
  if (required <= 0.0) return kUnlimited;
  return available / required;
}

/// Seconds one frame costs at `bytes_per_s`; infinite when nothing was measured.
double seconds_per_frame(double frame_bytes, double bytes_per_s) noexcept {
  return bytes_per_s > 0.0 ? frame_bytes / bytes_per_s : kUnlimited;
}

}  // namespace

std::string_view to_string(Resource resource) noexcept {
  switch (resource) {
    case Resource::disk:
      return "disk";
    case Resource::copy:
      return "copy";
    case Resource::cpu:
      return "cpu";
    case Resource::memory:
      return "memory";
    case Resource::space:
      return "space";
  }
  return "?";
}

CapacityVerdict assess_capacity(const RunRequirement& run,
                                const MachineResources& machine) noexcept {
  CapacityVerdict verdict;
  verdict.run = run;
  verdict.machine = machine;
  auto& disk = verdict.resources[static_cast<std::size_t>(Resource::disk)];
  auto& copy = verdict.resources[static_cast<std::size_t>(Resource::copy)];
  auto& cpu = verdict.resources[static_cast<std::size_t>(Resource::cpu)];
  auto& memory = verdict.resources[static_cast<std::size_t>(Resource::memory)];
  auto& space = verdict.resources[static_cast<std::size_t>(Resource::space)];

  const bool compressed = run.compression != storage::Compression::none;
  const double ratio =
      compressed && machine.compression_ratio > 0.0 ? machine.compression_ratio : 1.0;
  const auto frame_bytes = static_cast<double>(run.frame_bytes);
  const double stored_bytes_per_frame = frame_bytes / ratio;

  // Rates: each resource sustains at most `limit` frames per second; headroom = limit / fps.
  disk.required = run.fps * stored_bytes_per_frame;
  disk.measured = machine.disk_bytes_per_s;
  const double disk_fps = machine.disk_bytes_per_s / stored_bytes_per_frame;

  // The delivery thread copies every frame once; one thread cannot use more than one core.
  copy.required = run.fps * frame_bytes;
  copy.measured = machine.copy_bytes_per_s;
  const double copy_s = seconds_per_frame(frame_bytes, machine.copy_bytes_per_s);
  const double copy_fps = 1.0 / copy_s;

  // The copy, the camera's own work, the compression and the writer's system calls share the
  // cores; compression runs on at most writer_workers of them.
  const double compress_s =
      compressed ? seconds_per_frame(frame_bytes, machine.compress_bytes_per_core_s) : 0.0;
  const double write_s = stored_bytes_per_frame * machine.disk_cpu_s_per_byte;
  const double cpu_s = copy_s + machine.camera_cpu_s_per_frame + compress_s + write_s;
  verdict.cpu = {run.fps * copy_s, run.fps * machine.camera_cpu_s_per_frame, run.fps * compress_s,
                 run.fps * write_s};
  cpu.required = run.fps * cpu_s;
  cpu.measured = machine.cores;
  double cpu_fps = machine.cores / cpu_s;
  if (compressed) {
    const double worker_cores = std::min(static_cast<double>(run.writer_workers), machine.cores);
    cpu_fps = std::min(cpu_fps, worker_cores / compress_s);
  }

  disk.headroom = disk_fps / run.fps;
  copy.headroom = copy_fps / run.fps;
  cpu.headroom = cpu_fps / run.fps;

  // Amounts: the pool is mapped before the first frame; a finite run's file must fit.
  memory.required = static_cast<double>(run.pool_bytes);
  memory.measured = static_cast<double>(machine.usable_memory_bytes);
  memory.headroom = ratio_of(memory.measured, memory.required);

  space.measured = static_cast<double>(machine.free_bytes);
  verdict.frames_that_fit = static_cast<std::uint64_t>(
      std::min(std::floor(space.measured / stored_bytes_per_frame), 0x1p63));
  if (run.frame_count > 0) {
    space.required = static_cast<double>(run.frame_count) * stored_bytes_per_frame;
  } else {
    verdict.seconds_until_full = space.measured / disk.required;
  }
  space.headroom = ratio_of(space.measured, space.required);

  verdict.sustainable_fps = memory.headroom < 1.0 ? 0.0 : std::min({disk_fps, copy_fps, cpu_fps});

  double least = kUnlimited;
  for (std::size_t i = 0; i < kResourceCount; ++i) {
    if (verdict.resources[i].headroom < least) {
      least = verdict.resources[i].headroom;
      verdict.bottleneck = static_cast<Resource>(i);
    }
  }
  // Exactly kRequiredHeadroom fits; the tolerance absorbs the rounding of the divisions.
  verdict.fits = least >= kRequiredHeadroom * (1.0 - 1e-12);
  return verdict;
}

}  // namespace daq::acquisition
