// config_message.hpp — `daq ctl config --set KEY=VALUE` into a daq.v1.AcquisitionConfig.
// KEY is a field of the message ("bit_depth"; "bit-depth" works too, as on `daq acquire`);
// VALUE is spelled as on the command line ("12", "2x2", "0,0,512,512" for roi).
// Throws UsageError naming --set and the key: an unknown key (listing the keys) or a value that
// does not parse as the field's type. Range checks are the server's (the same validator as
// `daq acquire`). Thread-safety: a pure function. Allocation: strings.
#pragma once

#include <string_view>

#include "daq/v1/detector.pb.h"

namespace daq::cli {

void set_config_field(v1::AcquisitionConfig& config, std::string_view assignment);

}  // namespace daq::cli
