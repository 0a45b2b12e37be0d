// http_endpoint.hpp — HttpEndpoint: GET /metrics (Prometheus text format) and GET /healthz on
// cpp-httplib, served on its own thread; with a token every request needs
// "Authorization: Bearer <token>" (401 otherwise); with TLS files it speaks HTTPS.
// Thread-safety: construct and destroy on one thread; requests run on httplib's threads and
// read the status through the function given. Allocation: per request.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "daq/service/auth.hpp"
#include "daq/service/server.hpp"
#include "daq/v1/detector.pb.h"

namespace httplib {
class Server;
}

namespace daq::service {

class HttpEndpoint {
 public:
  /// Binds options.http_address (throws std::runtime_error when it cannot) and starts serving.
  HttpEndpoint(const ServerOptions& options, std::function<v1::Status()> status);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  int port() const noexcept { return port_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::optional<BearerToken> token_;
  std::function<v1::Status()> status_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace daq::service
