// capacity_text.cpp — the capacity verdict as one line for people.
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <string>

#include "daq/acquisition/capacity.hpp"

namespace daq::acquisition {
namespace {

std::string printf_string(const char* format, ...) __attribute__((format(printf, 1, 2)));

std::string printf_string(const char* format, ...) {
  char text[256];
  va_list args;
  va_start(args, format);
  std::vsnprintf(text, sizeof text, format, args);
  va_end(args);
  return text;
}

double mb(double bytes) {
  return bytes / 1e6;
}
double gb(double bytes) {
  return bytes / 1e9;
}

/// Rounded down: a sustainable rate is a promise, not an estimate to round up.
std::string fps_text(double fps) {
  if (fps >= 10.0) return printf_string("%.0f", std::floor(fps));
  return printf_string("%.1f", std::floor(fps * 10.0) / 10.0);
}

bool short_of_rule(const ResourceUse& use) {
  return use.headroom < kRequiredHeadroom;
}

}  // namespace

std::string capacity_text(const CapacityVerdict& verdict) {
  const auto& disk = verdict.use(Resource::disk);
  const auto& copy = verdict.use(Resource::copy);
  const auto& cpu = verdict.use(Resource::cpu);
  const auto& memory = verdict.use(Resource::memory);
  const auto& space = verdict.use(Resource::space);
  const auto compression = verdict.run.compression;

  std::string line;
  if (compression == storage::Compression::none) {
    line = printf_string("needs %.0f MB/s to disk; disk sustains %.0f MB/s (%.2f×)",
                         mb(disk.required), mb(disk.measured), disk.headroom);
    if (short_of_rule(cpu)) {
      line += printf_string("; needs %.1f cores, have %.1f", cpu.required, cpu.measured);
    }
  } else {
    const double free_cores =
        std::max(0.0, cpu.measured - verdict.cpu.copy - verdict.cpu.camera - verdict.cpu.writer);
    line = printf_string(
        "with --compression %.*s (ratio %.2f): needs %.0f MB/s disk and %.1f cores; have %.1f "
        "cores free",
        static_cast<int>(to_string(compression).size()), to_string(compression).data(),
        verdict.machine.compression_ratio, mb(disk.required), verdict.cpu.compression, free_cores);
    if (verdict.run.writer_workers < free_cores) {
      line += printf_string(" (%u compression workers)", verdict.run.writer_workers);
    }
    if (short_of_rule(disk)) {
      line += printf_string("; disk sustains %.0f MB/s (%.2f×)", mb(disk.measured), disk.headroom);
    }
  }
  if (short_of_rule(copy)) {
    line += printf_string("; the frame copy needs %.2f GB/s, measured %.2f GB/s (%.2f×)",
                          gb(copy.required), gb(copy.measured), copy.headroom);
  }
  if (short_of_rule(memory)) {
    line += printf_string("; the pool of %zu frames", verdict.run.pool_frames);
    if (verdict.run.stream_pool_frames != 0) {
      line += printf_string(" (%zu for the stream)", verdict.run.stream_pool_frames);
    }
    line += printf_string(" needs %.2f GB of %.2f GB usable memory", gb(memory.required),
                          gb(memory.measured));
  }
  if (verdict.run.frame_count > 0 && short_of_rule(space)) {
    line += printf_string("; needs %.1f GB on disk, %.1f GB free (%llu of %llu frames fit)",
                          gb(space.required), gb(space.measured),
                          static_cast<unsigned long long>(verdict.frames_that_fit),
                          static_cast<unsigned long long>(verdict.run.frame_count));
  } else if (verdict.run.frame_count == 0) {
    line += printf_string("; %.1f GB free lasts %.0f s", gb(space.measured),
                          verdict.seconds_until_full);
  }
  const std::string_view bottleneck = to_string(verdict.bottleneck);
  line += printf_string(" — bottleneck: %.*s; sustainable ≈ %s fps",
                        static_cast<int>(bottleneck.size()), bottleneck.data(),
                        fps_text(verdict.sustainable_fps).c_str());
  return line;
}

}  // namespace daq::acquisition
