// daq/camera/sim_pattern.hpp — SimPattern: what the simulated sensor draws.
//
// Shared by the simulated camera (daq/camera/sim_camera.hpp describes each pattern's pixels) and
// by the PVCAM-compatible simulated SDK, which must not depend on the camera it stands in for.
//
// Thread-safety: plain values and pure functions. Allocation: parse_sim_pattern() allocates only
// the message of the exception it throws.
#pragma once

#include <string_view>

namespace daq {

enum class SimPattern { ramp, noise, realistic };

/// "ramp", "noise" or "realistic"; throws daq::ConfigError listing the choices.
SimPattern parse_sim_pattern(std::string_view name);
std::string_view to_string(SimPattern pattern) noexcept;

}  // namespace daq
