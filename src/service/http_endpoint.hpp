// http_endpoint.hpp — HttpEndpoint: GET /metrics (Prometheus text format), GET /healthz and the
// browser live view (live_view_routes.hpp) on cpp-httplib, served on its own threads; with a
// token every request but the static page (GET /) needs "Authorization: Bearer <token>" (401
// otherwise); without one (a
// loopback bind) the Host header must name a loopback host, so a web page from elsewhere
// cannot reach the server through DNS rebinding; with TLS files it speaks HTTPS.
// Thread-safety: construct and destroy on one thread; requests run on httplib's threads and
// read the service. Allocation: per request.
#pragma once

#include <memory>
#include <optional>
#include <thread>

#include "daq/service/auth.hpp"
#include "daq/service/server.hpp"
#include "detector_service.hpp"
#include "live_view.hpp"

namespace httplib {
class Server;
}

namespace daq::service {

class HttpEndpoint {
 public:
  /// Binds options.http_address (throws std::runtime_error when it cannot) and starts serving.
  HttpEndpoint(const ServerOptions& options, DetectorService& service);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  int port() const noexcept { return port_; }

 private:
  DetectorService& service_;
  std::optional<BearerToken> token_;
  std::unique_ptr<LiveView> live_;  // outlives the server's threads (reset after they end)
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace daq::service
