#include "daq/service/address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "daq/service/service_error.hpp"

namespace daq::service {

HostPort parse_address(std::string_view address, std::string_view option) {
  const auto bad = [&] {
    return ServiceError(ErrorCode::invalid_argument,
                        std::string(option) + ": '" + std::string(address) +
                            "' is not HOST:PORT with a port in 0..65535");
  };
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) throw bad();
  std::string_view host = address.substr(0, colon);
  const std::string_view port_text = address.substr(colon + 1);
  int port = -1;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
      port > 65535) {
    throw bad();
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return {std::string(host), port};
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  const std::string text(host);
  in_addr v4{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    return std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0;
  }
  return false;
}

}  // namespace daq::service
