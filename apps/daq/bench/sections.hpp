// The sections of `daq bench`, in the order they run and print: the figures of the pool
// migration ADR, for users to measure on their own machine. Comparisons with other libraries
// (queues, mutex free lists, allocators) are the Google Benchmark programs in bench/.
// Each section measures Settings::runs times, adds its table(s) and figures to the Report, and
// throws std::runtime_error when a measurement fails (no frames arrived, a file cannot be
// written).
#pragma once

#include "measure.hpp"
#include "report.hpp"

namespace daq::cli::bench {

/// machine.*, build.* and run.* (CPU model, cores, compiler, build type, sanitizers, runs).
void describe_machine(const Settings& settings, Report& report);

/// 1. before.*, after.*, before_after.*: legacy subscribe_frames path vs the pooled path.
void bench_before_after(const Settings& settings, Report& report);
/// 2. pool.*: Pool<T> acquire+release, 1 and 2 threads; access through a loan vs a pointer.
void bench_pool(const Settings& settings, Report& report);
/// 3. ceiling.*, latency.*: pipeline frames/s vs single-thread memcpy; publish → receive latency.
void bench_ceiling(const Settings& settings, Report& report);
/// 4. observers.*: TapRegistry::deliver cost per frame with 0/1/4/16 observers.
void bench_observers(const Settings& settings, Report& report);
/// 5. writer.*: Hdf5Writer vs plain write() into settings.dir.
void bench_writer(const Settings& settings, Report& report);

}  // namespace daq::cli::bench
