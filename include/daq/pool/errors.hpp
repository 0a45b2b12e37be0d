// daq/pool/errors.hpp — the exception types that layers 0-1 throw for configuration errors.
//
// Only creation and configuration throw; the frame hot path never does. Every message names
// the quantity at fault and the limit it broke, so it can be shown to a user as it is.
#pragma once

#include <stdexcept>
#include <string>

namespace daq {

/// Memory for pools could not be provided (the error-handling ADR's failure kinds).
class PoolError : public std::runtime_error {
 public:
  enum class Kind {
    allocation_overflow,  ///< count x size does not fit in size_t
    insufficient_memory,  ///< more than the process may use (physical or cgroup), or mmap failed
    budget_exceeded,      ///< more than the configured memory budget
  };
  PoolError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

}  // namespace daq
