// daq/service/service_error.hpp — ServiceError: a refused request, with the gRPC-style code the
// server answers it with and a message that names the field and the limit.
//
// Thread-safety: a plain value. Allocation: the message string.
#pragma once

#include <stdexcept>
#include <string>

namespace daq::service {

/// The outcomes a client can act on; the server maps each to the gRPC status code of its name
/// (and the HTTP endpoint to 400/401/403/409/429).
enum class ErrorCode {
  invalid_argument,     ///< a field out of range or malformed
  failed_precondition,  ///< not allowed in the current state (e.g. Start while acquiring)
  already_exists,       ///< the file exists and overwrite was not asked for
  permission_denied,    ///< a path outside the data directory
  resource_exhausted,   ///< a limit reached (image streams, memory budget)
  unauthenticated,      ///< missing or wrong bearer token
  deadline_exceeded,    ///< a wait ran out
  unimplemented,        ///< the backend does not offer this
};

class ServiceError : public std::runtime_error {
 public:
  ServiceError(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace daq::service
