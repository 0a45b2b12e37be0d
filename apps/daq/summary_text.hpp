// summary_text.hpp — the summary of `daq acquire` as the text block people read.
// Thread-safety: pure function. Allocation: formats into the stream.
#pragma once

#include <ostream>

#include "daq/acquisition/summary.hpp"

namespace daq::cli {

/// The human-readable summary block: the ledger, the holes in the file, the rates, the outcome.
void print_summary(std::ostream& out, const acquisition::Summary& summary);

}  // namespace daq::cli
