// SIGINT/SIGTERM → a flag the acquisition loop polls. The handler only stores to a lock-free
// atomic, which is async-signal-safe. A second signal while stopping restores the default
// action, so a third Ctrl-C kills a stuck process.
#pragma once

namespace daq::cli {

class StopSignal {
 public:
  StopSignal();   ///< installs the handlers
  ~StopSignal();  ///< restores the previous handlers
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  bool requested() const noexcept;
  int signal_number() const noexcept;  ///< the signal received, 0 if none
};

}  // namespace daq::cli
