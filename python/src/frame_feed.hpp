// frame_feed.hpp — FrameFeed: where a Python frame iterator takes its frames from.
//
// A Stream (the primary output) and a Tap (a channel tap's copies) are feeds. next() is called
// with the GIL held; it releases the GIL while it waits, wakes at least every 50 ms to run
// Python's signal handlers, and throws pybind11::error_already_set when one raised (Ctrl-C:
// KeyboardInterrupt). nullopt: the feed ended (no frame will follow).
// Thread-safety: one thread at a time calls next(). Allocation: next() allocates nothing.
#pragma once

#include <optional>

#include "daq/pool/frame_data.hpp"

namespace daq::python {

class FrameFeed {
 public:
  virtual ~FrameFeed() = default;
  virtual std::optional<LoanedFrame> next() = 0;
};

}  // namespace daq::python
