// options.hpp — pvcam-sim's options (see pvcam_sim.h): set through the API or the environment,
// resolved into Settings when the library, a camera or an acquisition needs them. Internal.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "daq/camera/fault_script.hpp"
#include "daq/camera/sim_pattern.hpp"
#include "master.h"

namespace pvcam_sim {

struct Settings {
  int cameras = 1;
  std::uint32_t width = 2048;
  std::uint32_t height = 2048;
  std::uint32_t bit_depth = 16;
  double row_time_us = 5.0;
  double temperature_c = -20.0;
  daq::SimPattern pattern = daq::SimPattern::ramp;
  std::uint64_t seed = 1;
  std::vector<daq::Fault> faults;
};

/// Validates and stores an option; PV_FAIL (PVCAM_SIM_ERR_BAD_OPTION) when invalid.
rs_bool set_option(std::string_view key, std::string_view value);

/// Forgets the options set through the API.
void reset_options();

/// The options now in force (API, else environment, else default); PV_FAIL
/// (PVCAM_SIM_ERR_BAD_OPTION) when an environment value is invalid.
rs_bool resolve_settings(Settings& out);

}  // namespace pvcam_sim
