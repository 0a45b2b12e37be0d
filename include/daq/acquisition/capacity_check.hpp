// daq/acquisition/capacity_check.hpp — the capacity check of one series' settings: what the run
// needs (from the camera's format and the settings), measured on this machine and the target
// directory by the probes (capacity_probe.hpp), judged by assess_capacity() (capacity.hpp).
// `daq check` prints it; `daq acquire` runs the quick form before a run (docs/adr/0013-capacity-
// check.md).
//
// The camera's own cost: the sim camera's is measured (probe_sim_camera(), whose first frame is
// also the compression sample); hardware cameras do their work in the camera and the DMA, so
// their term is 0 (camera_note says so) and one frame from the camera is the compression sample.
//
// Thread-safety: one call at a time (the probes measure resources they would compete for).
// Allocation: the probes map tens of MB and free them. Errors: ConfigError naming the flag for
// bad settings (the same checks as the camera factory and the writer: make_camera(),
// parse_compression()) and for a frame rate that is not known (0); std::system_error naming the
// directory when the probe file cannot be written; SourceError when a camera delivers no frame.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "daq/acquisition/capacity.hpp"
#include "daq/acquisition/capacity_probe.hpp"
#include "daq/acquisition/pool_plan.hpp"
#include "daq/acquisition/settings.hpp"

namespace daq::acquisition {

struct CapacityCheck {
  CapacityVerdict verdict;
  std::string camera_note;  ///< why the camera's own cost is not measured; empty when it is
};

/// The run `settings` describe: frame bytes, rate (the settings' fps, or the camera's own rate),
/// frames (--frames, else duration × fps; 0 = continuous), compression, the writer's
/// compression workers, and the pool `pool` (its frames, the stream's among them, and its bytes
/// for the format's frames). Throws ConfigError when the rate is 0 (free-running: no rate to
/// check).
RunRequirement run_requirement(const Settings& settings, const SourceFormat& format,
                               const PoolPlan& pool);

/// Measures this machine for `settings` writing into `directory` and assesses the run of an
/// Instrument whose sharing taps may hold `tap_frames_held` frames
/// (InstrumentOptions::tap_frames_held): its pool is pool_plan()'s, as Instrument::prepare()
/// maps it.
CapacityCheck check_capacity(const Settings& settings, const std::filesystem::path& directory,
                             ProbeMode mode, std::size_t tap_frames_held);

/// Whether the camera of `settings` is the simulated one (the only one whose probe needs no
/// device).
bool is_sim_camera(const Settings& settings);

}  // namespace daq::acquisition
