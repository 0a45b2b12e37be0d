// metrics_text.hpp — a Status in the Prometheus text exposition format (version 0.0.4), the
// body of GET /metrics. Every value comes from the one Status given, so /metrics and GetStatus
// taken at the same instant agree.
// Thread-safety: a pure function. Allocation: the returned text.
#pragma once

#include <string>

#include "daq/v1/detector.pb.h"

namespace daq::service {

std::string prometheus_text(const v1::Status& status);

}  // namespace daq::service
