// 1. Before vs after: the ADR's table, measured. The legacy path (a heap frame per frame, a
// shared broadcast copy, a tap that clones) against the pooled path, same SimCamera settings
// (2048 x 2048 x 16 bit, free-running, 1 primary + 1 tap); see sim_stream.hpp.
#include <vector>

#include "sections.hpp"
#include "sim_stream.hpp"

namespace daq::cli::bench {
namespace {

struct PathFigures {
  double allocs_per_sec = 0;
  double alloc_mb_per_sec = 0;
  double allocs_per_frame = 0;
  double fps = 0;
  double heap_frames_per_frame = 0;
  double tap_share = 0;
};

PathFigures figures_of(const StreamWindow& w) {
  PathFigures f;
  f.allocs_per_sec = static_cast<double>(w.allocations.allocations) / w.seconds;
  f.alloc_mb_per_sec = static_cast<double>(w.allocations.bytes) / w.seconds / 1e6;
  f.allocs_per_frame =
      static_cast<double>(w.allocations.allocations) / static_cast<double>(w.frames);
  f.fps = w.fps();
  f.heap_frames_per_frame = w.heap_frames_per_frame;
  f.tap_share = w.tap_share;
  return f;
}

}  // namespace

void bench_before_after(const Settings& settings, Report& report) {
  StreamPlan plan;
  plan.camera = bench_camera(0.0);
  plan.tap = true;
  plan.window_s = settings.window(2.0, 5.0);
  std::vector<PathFigures> before;
  std::vector<PathFigures> after;
  for (int run = 0; run < settings.runs; ++run) {
    for (int k = 0; k < 2; ++k) {
      plan.legacy = (run + k) % 2 == 0;  // alternate which path goes first
      (plan.legacy ? before : after).push_back(figures_of(run_stream(plan)));
    }
  }
  auto med = [](const std::vector<PathFigures>& runs, double PathFigures::*field) {
    return median_of(runs, [field](const PathFigures& f) { return f.*field; });
  };
  auto both = [&](const char* key, double PathFigures::*field) {
    return std::vector<Cell>{{"before", key, med(before, field)}, {"after", key, med(after, field)}};
  };
  auto with_ratio = [&](const char* key, double PathFigures::*field, const char* ratio_key) {
    std::vector<Cell> cells = both(key, field);
    cells.push_back({"before_after", ratio_key,
                     ratio(cells[1].value, cells[0].value, "before/after: the legacy path")});
    return cells;
  };

  report.table("1. Before vs after: legacy subscribe_frames() path vs pooled path "
               "(SimCamera 2048x2048 16-bit, free-running, 1 primary + 1 tap)",
               {"before", "after", "after/before"});
  report.row("allocations/s", with_ratio("allocs_per_sec", &PathFigures::allocs_per_sec,
                                         "allocs_ratio"));
  report.row("allocated MB/s (operator new)",
             with_ratio("alloc_mb_per_sec", &PathFigures::alloc_mb_per_sec, "alloc_bytes_ratio"));
  report.row("allocations per frame", both("allocs_per_frame", &PathFigures::allocs_per_frame));
  report.row("frames/s (primary)", with_ratio("fps", &PathFigures::fps, "fps_ratio"));
  report.row("heap frames (mmap) per frame",
             both("heap_frames_per_frame", &PathFigures::heap_frames_per_frame));
  report.row("tap frames per primary frame", both("tap_share", &PathFigures::tap_share));
  report.note("Allocations: daq::alloc_counter::global() (operator new, all threads) over the "
              "measured window after warm-up.");
  report.note("Heap frames are mmap'd by FrameData, not operator new: 8 MiB each, on top of the "
              "MB/s above.");
  report.note("A tap that falls behind drops frames for itself only (its queue holds 4): then its "
              "share is below 1.");
}

}  // namespace daq::cli::bench
