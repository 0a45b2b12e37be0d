// capacity_table.hpp — the capacity verdict (daq/acquisition/capacity.hpp) as the table `daq
// check` prints: per resource what the run requires, what the machine has and the headroom, then
// the bottleneck, the sustainable rate and the frames that fit.
// Thread-safety: pure function. Allocation: builds the string.
#pragma once

#include <string>

#include "daq/acquisition/capacity.hpp"

namespace daq::cli {

std::string capacity_table(const acquisition::CapacityVerdict& verdict);

}  // namespace daq::cli
