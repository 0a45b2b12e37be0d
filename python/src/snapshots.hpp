// snapshots.hpp — the pipeline's counters as Python dicts, with the C++ field names.
// Thread-safety: call with the GIL held. Allocation: builds Python objects.
#pragma once

#include <pybind11/pybind11.h>

#include "daq/pipeline/frame_producer.hpp"

namespace daq::python {

/// produced, delivered, dropped, dropped_by_cause {cause: count}, lost_hw_frames, balanced,
/// dropped_ranges / lost_hw_ranges [(first, last), ...].
pybind11::dict to_dict(const LedgerSnapshot& ledger);

/// streaming, stop_reason, stop_message, frames (the ledger counters), fallback_*, pool {...},
/// taps [{...}], acquire_wait {...}.
pybind11::dict to_dict(const ProducerStats& stats);

}  // namespace daq::python
