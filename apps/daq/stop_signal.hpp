// SIGINT/SIGTERM/SIGHUP → a flag the acquisition loop polls. SIGHUP (the terminal closed, an SSH
// session dropped) stops a run as cleanly as Ctrl-C: the file is finished, not cut off. The handler
// only stores to a lock-free atomic, which is async-signal-safe. A second signal while stopping
// restores the default action, so a third Ctrl-C kills a stuck process. Meanwhile SIGPIPE is
// ignored: a closed terminal or pipe then makes the progress and summary writes fail (EPIPE)
// instead of ending the process before the file is finished.
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
