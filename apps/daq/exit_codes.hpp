// Exit statuses of the daq command-line tool (documented in the user guide).
#pragma once

#include <stdexcept>

namespace daq::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  ///< camera or write failure during the run
inline constexpr int kExitUsage = 2;    ///< bad input: nothing was created or truncated
/// The run will not keep up (daq check, --require-check) or lost frames (--fail-on-loss).
inline constexpr int kExitCapacity = 3;
inline constexpr int kExitInterrupted = 130;  ///< stopped by SIGINT/SIGTERM/SIGHUP; output complete

/// Bad user input; main() prints the message as one line and exits with kExitUsage.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A stop signal came before anything was created; main() prints the message as one line and
/// exits with kExitInterrupted.
class Interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace daq::cli
