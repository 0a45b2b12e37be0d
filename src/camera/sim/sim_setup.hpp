// sim_setup.hpp — what a SimConfig turns into inside the SimCamera. Internal; not API.
#pragma once

#include "daq/camera/sim_camera.hpp"
#include "pattern.hpp"

namespace daq::sim {

/// The pattern of the delivered image of `config`; throws daq::ConfigError for bad geometry.
PatternSpec pattern_spec(const SimConfig& config);

}  // namespace daq::sim
