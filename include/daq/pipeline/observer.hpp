// daq/pipeline/observer.hpp — FrameObserver: the secondary, look-but-don't-keep consumer of frames.
//
// Contract for implementers:
// - on_frame() runs on the producer's delivery thread for every frame (or every Nth, with
//   decimation). It MUST NOT block and SHOULD return within 1 ms (longer calls are counted as
//   `slow_calls`). It must not allocate per frame if the pipeline is to stay allocation-free.
// - The view is valid only during the call: copy what you need to keep.
// - Exceptions thrown by on_frame() are caught and counted (`errors`); delivery goes on.
// - After the producer's unregister_observer(handle) returns, on_frame() is never called again
//   and the observer may be destroyed.
// name() is read at registration and must not throw.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "daq/pool/frame_view.hpp"

namespace daq {

class FrameObserver {
 public:
  virtual ~FrameObserver() = default;
  virtual void on_frame(const FrameView& frame) = 0;
  virtual std::string_view name() const noexcept { return "unnamed_observer"; }
};

/// Identifies one registration; 0 is never issued.
struct ObserverHandle {
  std::uint64_t id = 0;
  friend bool operator==(ObserverHandle, ObserverHandle) = default;
};

struct ObserverOptions {
  std::uint32_t decimation = 1;  ///< deliver every Nth frame (1 = every frame; 0 is rejected)
  std::string name = {};         ///< empty: the observer's own name()
};

}  // namespace daq
