// config_mapping.hpp — daq.v1 messages ↔ daq::acquisition values: AcquisitionConfig fields
// onto the settings keys of `daq acquire` (so acquisition::set() validates them, one
// validator for every front end), and the Status / Summary snapshots into their messages.
// Thread-safety: pure functions. Allocation: strings, per call.
#pragma once

#include <cstdint>
#include <string>

#include "daq/acquisition/instrument.hpp"
#include "daq/acquisition/settings.hpp"
#include "daq/acquisition/summary.hpp"
#include "daq/pipeline/frame_source.hpp"
#include "daq/pipeline/metrics.hpp"
#include "daq/service/service_error.hpp"
#include "daq/v1/detector.pb.h"

namespace daq::service {

/// Sets every field present in `patch` on `settings` with acquisition::set(). Throws
/// ServiceError(invalid_argument) naming the message's field (e.g. "bit_depth: must be ...").
void apply_config(const v1::AcquisitionConfig& patch, acquisition::Settings& settings);

/// Every field of the configuration `settings` holds.
v1::AcquisitionConfig config_message(const acquisition::Settings& settings);

/// A ConfigError message with the command-line flags ("--bit-depth") replaced by the API's
/// field names ("bit_depth").
std::string with_field_names(std::string message);

/// The refusal a client gets for a ConfigError from the acquisition core: RESOURCE_EXHAUSTED
/// when the frames or the pool would not fit the memory the camera or the process may use (the
/// core's messages "exceeds memory_budget_bytes", "... bytes this process may use": PoolLimit),
/// INVALID_ARGUMENT otherwise; the message names the API's fields.
ServiceError config_refusal(const ConfigError& error);

void fill_status(const acquisition::Status& status, v1::Status& message);

/// The delivery loop's side: drops by cause, per-tap counters, the pool acquire wait.
void fill_metrics(const MetricsSnapshot& metrics, v1::Status& message);

v1::SeriesSummary summary_message(const acquisition::Summary& summary, std::uint64_t series_id);

}  // namespace daq::service
