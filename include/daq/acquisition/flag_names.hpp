// daq/acquisition/flag_names.hpp — makes the drivers' and the storage layer's configuration errors
// name the command-line flag the user typed.
//
// The libraries name their own fields ("bit_depth 13 is not supported (8, 12, 16 or 32)",
// "roi.x + roi.width = 70 exceeds the sensor width 64", "compression: 'zstd' is not one of
// ..."); `daq acquire` reports them as "--bit-depth: bit_depth 13 is not supported ...", so
// every bad-input line names the option and keeps the library's limit.
// Thread-safety: pure function. Allocation: builds the returned string.
#pragma once

#include <string>
#include <string_view>

namespace daq::acquisition {

/// `message` prefixed with the flags it is about:
/// - a leading "<field>: " label naming a flag is replaced by the flag ("out: x" → "--out: x");
/// - otherwise the flags of the first word, of every dotted field ("roi.x", "binning.y") and
///   of memory_budget_bytes (the frame size flags) are put in front, in order, without repeats;
/// - a message naming no known field comes back unchanged.
/// A driver label such as "aravis: " is kept and looked past.
std::string with_flag_names(std::string_view message);

}  // namespace daq::acquisition
