// capacity_json.cpp — the capacity verdict as JSON; every key names its unit.
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "daq/acquisition/capacity.hpp"

namespace daq::acquisition {
namespace {

/// Unlimited headroom (a resource the run does not use) is null: JSON has no infinity.
nlohmann::json finite_or_null(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

nlohmann::json use_json(const ResourceUse& use, const char* required_key, const char* measured_key,
                        double unit) {
  return {{required_key, use.required / unit},
          {measured_key, use.measured / unit},
          {"headroom", finite_or_null(use.headroom)}};
}

}  // namespace

std::string capacity_json(const CapacityVerdict& verdict) {
  const auto& run = verdict.run;
  const auto& machine = verdict.machine;
  nlohmann::json cpu =
      use_json(verdict.use(Resource::cpu), "required_cores", "measured_cores", 1.0);
  cpu["copy_cores"] = verdict.cpu.copy;
  cpu["camera_cores"] = verdict.cpu.camera;
  cpu["compression_cores"] = verdict.cpu.compression;
  cpu["writer_cores"] = verdict.cpu.writer;
  cpu["compression_workers"] = run.writer_workers;

  nlohmann::json json = {
      {"fits", verdict.fits},
      {"required_headroom", kRequiredHeadroom},
      {"bottleneck", to_string(verdict.bottleneck)},
      {"sustainable_fps", verdict.sustainable_fps},
      {"frames_that_fit", verdict.frames_that_fit},
      {"run",
       {{"frame_bytes", run.frame_bytes},
        {"fps", run.fps},
        {"frame_count", run.frame_count},
        {"compression", storage::to_string(run.compression)},
        {"pool_frames", run.pool_frames},
        {"stream_pool_frames", run.stream_pool_frames},
        {"pool_bytes", run.pool_bytes}}},
      {"compression_ratio", machine.compression_ratio},
      {"compress_mb_per_core_s", machine.compress_bytes_per_core_s / 1e6},
      {"camera_cpu_ms_per_frame", machine.camera_cpu_s_per_frame * 1e3},
      {"resources",
       {{"disk",
         use_json(verdict.use(Resource::disk), "required_mb_per_s", "measured_mb_per_s", 1e6)},
        {"copy",
         use_json(verdict.use(Resource::copy), "required_gb_per_s", "measured_gb_per_s", 1e9)},
        {"cpu", cpu},
        {"memory",
         use_json(verdict.use(Resource::memory), "required_bytes", "measured_bytes", 1.0)},
        {"space",
         use_json(verdict.use(Resource::space), "required_bytes", "measured_bytes", 1.0)}}},
      {"text", capacity_text(verdict)}};
  if (run.frame_count == 0) json["seconds_until_full"] = finite_or_null(verdict.seconds_until_full);
  return json.dump(2);
}

}  // namespace daq::acquisition
