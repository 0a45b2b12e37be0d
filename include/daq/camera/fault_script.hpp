// daq/camera/fault_script.hpp — deterministic fault injection for the simulated cameras.
//
// A fault script is a comma-separated list of `kind@frame[:amount]` items, e.g.
//   "gap@100:5,stall@200:50,burst@300:16,sdk_error@400,disconnect@500"
// `frame` is the sensor's frame index N, counted from 0 as the sensor exposes frames (the
// SimCamera reports it as hw_frame_nr; PVCAM reports FrameNr = N + 1).
//   gap@N:K        frames N .. N+K-1 are lost on the way (the camera skips those numbers)
//   stall@N:MS     the sensor pauses MS milliseconds before frame N
//   burst@N:K      frames N .. N+K-1 come back to back, ignoring the frame rate
//   sdk_error@N    the SDK fails instead of delivering frame N (frames before it arrive)
//   disconnect@N   the camera disappears after frame N-1 (frames before it arrive)
// The same script gives the same frames and losses on every run; only losses caused by a slow
// consumer (circular-buffer overruns) depend on timing.
//
// Thread-safety: pure functions. Allocation: parsing allocates the result.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace daq {

enum class FaultKind { gap, stall, burst, sdk_error, disconnect };

struct Fault {
  FaultKind kind = FaultKind::gap;
  std::uint64_t frame = 0;   ///< sensor frame index N
  std::uint64_t amount = 0;  ///< gap/burst: frames (>= 1); stall: milliseconds (>= 1); else 0
  friend bool operator==(const Fault&, const Fault&) = default;
};

/// Parses a script (see above; spaces around items are ignored, "" gives no faults). Throws
/// daq::ConfigError naming the offending item and what was expected.
std::vector<Fault> parse_faults(std::string_view script);

/// The script form of `faults`, so that parse_faults(to_string(f)) == f.
std::string to_string(std::span<const Fault> faults);

/// Throws daq::ConfigError when an amount is out of range (0 for gap/burst/stall, a stall over
/// one hour) or two gaps overlap.
void validate_faults(std::span<const Fault> faults);

}  // namespace daq
