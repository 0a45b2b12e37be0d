#include "snapshots.hpp"

#include <string>

namespace daq::python {
namespace py = pybind11;
namespace {

void add_counts(py::dict& out, const LedgerCounts& counts) {
  out["produced"] = counts.produced;
  out["delivered"] = counts.delivered;
  out["dropped"] = counts.dropped;
  py::dict by_cause;
  for (std::size_t i = 0; i < kDropCauseCount; ++i) {
    by_cause[py::str(std::string(to_string(static_cast<DropCause>(i))))] =
        counts.dropped_by_cause[i];
  }
  out["dropped_by_cause"] = by_cause;
  out["lost_hw_frames"] = counts.lost_hw_frames;
  out["balanced"] = counts.balanced();
}

py::list to_list(const std::vector<FrameRange>& ranges) {
  py::list out;
  for (const FrameRange& r : ranges) out.append(py::make_tuple(r.first, r.last));
  return out;
}

}  // namespace

py::dict to_dict(const LedgerSnapshot& ledger) {
  py::dict out;
  add_counts(out, ledger);
  out["dropped_ranges"] = to_list(ledger.dropped_ranges);
  out["lost_hw_ranges"] = to_list(ledger.lost_hw_ranges);
  return out;
}

py::dict to_dict(const ProducerStats& stats) {
  py::dict out;
  out["streaming"] = stats.streaming;
  out["stop_reason"] = std::string(to_string(stats.stop_reason));
  out["stop_message"] = stats.stop_message;
  py::dict frames;
  add_counts(frames, stats.frames);
  out["frames"] = frames;
  out["fallback_allocations"] = stats.fallback_allocations;
  out["fallback_bytes"] = stats.fallback_bytes;
  out["fallback_outstanding_bytes"] = stats.fallback_outstanding_bytes;
  py::dict pool;
  pool["capacity"] = stats.pool.capacity;
  pool["in_use"] = stats.pool.in_use;
  pool["high_water"] = stats.pool.high_water;
  pool["hits"] = stats.pool.hits;
  pool["waits"] = stats.pool.waits;
  pool["timeouts"] = stats.pool.timeouts;
  pool["hit_rate"] = stats.pool.hit_rate();
  out["pool"] = pool;
  py::list taps;
  for (const TapStats& t : stats.taps) {
    py::dict tap;
    tap["name"] = t.name;
    tap["delivered"] = t.delivered;
    tap["dropped"] = t.dropped;
    tap["errors"] = t.errors;
    tap["slow_calls"] = t.slow_calls;
    tap["decimation"] = t.decimation;
    taps.append(tap);
  }
  out["taps"] = taps;
  py::dict wait;
  wait["count"] = stats.acquire_wait.count;
  wait["p50_ns"] = stats.acquire_wait.p50_ns;
  wait["p90_ns"] = stats.acquire_wait.p90_ns;
  wait["p99_ns"] = stats.acquire_wait.p99_ns;
  wait["max_ns"] = stats.acquire_wait.max_ns;
  const WaitDistribution& distribution = stats.acquire_wait_distribution;
  wait["sum_ns"] = distribution.sum_ns;
  py::list buckets;  // (upper bound in ns, waits at most that long): a Prometheus histogram
  for (std::size_t b = 0; b < distribution.at_most.size(); ++b) {
    buckets.append(py::make_tuple(WaitHistogram::upper_bound(b), distribution.at_most[b]));
  }
  wait["buckets"] = buckets;
  out["acquire_wait"] = wait;
  return out;
}

}  // namespace daq::python
