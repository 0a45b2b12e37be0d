// 4. Observers: what TapRegistry::deliver — the call the delivery loop makes for every frame —
// costs per frame with 0, 1, 4 and 16 registered observers, against the 8 MiB frame copy that
// every frame costs anyway (measured in the same run), and the allocations it makes (none).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "daq/pipeline/tap_registry.hpp"
#include "daq/pool/alloc_counter.hpp"
#include "daq/pool/frame_data.hpp"
#include "memcpy_baseline.hpp"
#include "sections.hpp"

namespace daq::cli::bench {
namespace {

constexpr std::array<std::size_t, 4> kObserverCounts = {0, 1, 4, 16};

// Reads the frame number and the first pixel, as a cheap statistics observer would start.
class TouchObserver final : public FrameObserver {
 public:
  void on_frame(const FrameView& frame) override {
    sum_ += frame.frame_number() + std::to_integer<std::uint64_t>(frame.pixels()[0]);
    escape(&sum_);
  }
  std::string_view name() const noexcept override { return "bench_touch"; }

 private:
  std::uint64_t sum_ = 0;
};

struct DeliverRun {
  std::array<double, kObserverCounts.size()> ns{};
  double allocations_per_frame = 0;
};

DeliverRun deliver_run(FrameData& frame, std::size_t frames) {
  DeliverRun run;
  std::uint64_t allocations = 0;
  for (std::size_t c = 0; c < kObserverCounts.size(); ++c) {
    TapRegistry registry;
    for (std::size_t i = 0; i < kObserverCounts[c]; ++i) {
      registry.register_observer(std::make_unique<TouchObserver>());
    }
    for (std::size_t i = 0; i < 1000; ++i) registry.deliver(frame.view());  // warm-up
    const std::uint64_t before = alloc_counter::global().allocations;
    const auto start = Clock::now();
    for (std::size_t i = 0; i < frames; ++i) {
      frame.frame_number = i;  // a new number per delivery, as the loop assigns
      registry.deliver(frame.view());
    }
    run.ns[c] = seconds_between(start, Clock::now()) * 1e9 / static_cast<double>(frames);
    allocations += alloc_counter::global().allocations - before;
  }
  run.allocations_per_frame =
      static_cast<double>(allocations) / static_cast<double>(frames * kObserverCounts.size());
  return run;
}

}  // namespace

void bench_observers(const Settings& settings, Report& report) {
  FrameData frame = FrameData::with_capacity(kFrameBytes);
  frame.writable_pixels(kFrameBytes)[0] = std::byte{1};
  frame.width = 2048;
  frame.height = 2048;
  frame.bit_depth = 16;
  const std::size_t frames = settings.count(200'000, 1'000'000, 20'000);
  const std::size_t copies = settings.count(50, 200, 16);
  std::vector<DeliverRun> runs;
  std::vector<double> memcpy_ns;
  for (int run = 0; run < settings.runs; ++run) {
    runs.push_back(deliver_run(frame, frames));
    memcpy_ns.push_back(memcpy_seconds_per_frame(kFrameBytes, copies) * 1e9);
  }
  const double copy_ns = median(memcpy_ns);

  std::vector<std::string> columns;
  for (const std::size_t n : kObserverCounts) columns.push_back(std::to_string(n));
  report.table("4. Observers: TapRegistry::deliver per frame, by number of observers", columns);
  std::vector<Cell> ns_cells;
  std::vector<Cell> share_cells;
  std::array<double, kObserverCounts.size()> ns{};
  for (std::size_t c = 0; c < kObserverCounts.size(); ++c) {
    ns[c] = median_of(runs, [c](const DeliverRun& r) { return r.ns[c]; });
    const std::string n = std::to_string(kObserverCounts[c]);
    ns_cells.push_back({"observers", "ns_per_frame_" + n, ns[c]});
    share_cells.push_back({"observers", "x_memcpy_" + n, ratio(ns[c], copy_ns, "memcpy")});
  }
  report.row("ns per frame", ns_cells);
  report.row("x one 8 MiB memcpy", share_cells);
  const double per_observer = (ns.back() - ns.front()) / static_cast<double>(kObserverCounts.back());
  report.row("ns per observer (16 vs 0)", {{"observers", "ns_per_observer", per_observer}});
  report.row("allocations per frame",
             {{"observers", "allocs_per_frame",
               median_of(runs, [](const DeliverRun& r) { return r.allocations_per_frame; })}});
  report.note("Observers are no-op readers (frame number + first pixel); a real observer adds "
              "its own work.");
}

}  // namespace daq::cli::bench
