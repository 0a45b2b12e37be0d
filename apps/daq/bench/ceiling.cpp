// 3. Ceiling and latency. The pipeline's frames/s (SimCamera free-running, pooled path, one
// primary, no tap) against the memcpy-bound ceiling: one thread copying 8 MiB frames, measured
// in the same run. Latency: camera publish (the frame's read-out timestamp) → primary receive,
// with the camera at a fixed rate below the ceiling (the ADR's 100 fps), so that the figure is
// the pipeline's own time and not the wait in a full SDK buffer.
#include <string>
#include <vector>

#include "memcpy_baseline.hpp"
#include "sections.hpp"
#include "sim_stream.hpp"

namespace daq::cli::bench {
namespace {

constexpr double kLatencyFps = 100.0;

struct CeilingRun {
  double memcpy_s = 0;  // seconds per frame copy
  double pipeline_fps = 0;
  double p50_us = 0;
  double p99_us = 0;
  double max_us = 0;
};

}  // namespace

void bench_ceiling(const Settings& settings, Report& report) {
  const std::size_t copies = settings.count(100, 400, 16);
  StreamPlan throughput;
  throughput.camera = bench_camera(0.0);
  throughput.window_s = settings.window(2.0, 5.0);
  StreamPlan latency;
  latency.camera = bench_camera(kLatencyFps);
  latency.window_s = settings.window(3.0, 10.0);
  latency.warmup_frames = 10;

  std::vector<CeilingRun> runs;
  for (int run = 0; run < settings.runs; ++run) {
    CeilingRun r;
    r.memcpy_s = memcpy_seconds_per_frame(kFrameBytes, copies);
    r.pipeline_fps = run_stream(throughput).fps();
    StreamWindow w = run_stream(latency);
    r.p50_us = quantile(w.latency_us, 0.50);
    r.p99_us = quantile(w.latency_us, 0.99);
    r.max_us = quantile(w.latency_us, 1.0);
    runs.push_back(r);
  }
  const double memcpy_s = median_of(runs, [](const CeilingRun& r) { return r.memcpy_s; });
  const double memcpy_fps = 1.0 / memcpy_s;
  const double pipeline_fps = median_of(runs, [](const CeilingRun& r) { return r.pipeline_fps; });
  report.table("3. Ceiling: pipeline vs single-thread memcpy of 8 MiB frames",
               {"pipeline", "memcpy", "pipeline/memcpy"});
  report.row("frames/s", {{"ceiling", "pipeline_fps", pipeline_fps},
                          {"ceiling", "memcpy_fps", memcpy_fps},
                          {"ceiling", "ratio", ratio(pipeline_fps, memcpy_fps, "memcpy")}});
  report.row("GB/s", {{"ceiling", "pipeline_gb_per_sec", pipeline_fps * kFrameBytes / 1e9},
                      {"ceiling", "memcpy_gb_per_sec", memcpy_fps * kFrameBytes / 1e9}});
  report.note("The pipeline copies each frame once (SDK buffer -> pooled frame) on the delivery "
              "thread, like the memcpy; the camera and consumer threads share the cores.");

  const double memcpy_us = memcpy_s * 1e6;
  auto latency_row = [&](const char* label, const char* key, double CeilingRun::*field) {
    const double us = median_of(runs, [field](const CeilingRun& r) { return r.*field; });
    report.row(label, {{"latency", key, us},
                       {"latency", std::string(key) + "_x_memcpy", ratio(us, memcpy_us, "memcpy")}});
  };
  report.table("   Latency: camera publish -> primary receive, 8 MiB frames at " +
                   format_figure(kLatencyFps) + " fps",
               {"us", "x one memcpy"});
  latency_row("p50", "p50_us", &CeilingRun::p50_us);
  latency_row("p99", "p99_us", &CeilingRun::p99_us);
  latency_row("max", "max_us", &CeilingRun::max_us);
  report.note("One frame copy is the least a copying driver can take (x one memcpy = 1).");
}

}  // namespace daq::cli::bench
