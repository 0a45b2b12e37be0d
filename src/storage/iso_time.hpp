// iso_time.hpp — the current UTC time as ISO 8601 text, e.g. "2026-01-17T09:30:12.345678Z"
// (private). Thread-safe; allocates the returned string.
#pragma once

#include <chrono>
#include <string>

namespace daq::storage::detail {

std::string iso8601_utc(std::chrono::system_clock::time_point when);

}  // namespace daq::storage::detail
