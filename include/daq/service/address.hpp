// daq/service/address.hpp — the HOST:PORT addresses `daq serve` binds, and which of them are
// loopback (the only ones served without a token).
//
// - parse_address("127.0.0.1:50051", "--grpc") → {"127.0.0.1", 50051}; "[::1]:0" → {"::1", 0}.
//   Throws ServiceError(invalid_argument) naming `option` without a host or a port in 0..65535.
// - is_loopback_host: "localhost", 127.0.0.0/8 and ::1; anything else, including 0.0.0.0 and
//   :: (every interface), is not.
//
// Thread-safety: pure functions. Allocation: the host string.
#pragma once

#include <string>
#include <string_view>

namespace daq::service {

struct HostPort {
  std::string host;
  int port = 0;
};

HostPort parse_address(std::string_view address, std::string_view option);

bool is_loopback_host(std::string_view host);

}  // namespace daq::service
