#include "http_endpoint.hpp"

#include <httplib.h>

#include <stdexcept>
#include <string>

#include "daq/service/address.hpp"
#include "live_view_routes.hpp"
#include "metrics_text.hpp"

namespace daq::service {
namespace {

// httplib serves each connection on a pool thread: every live view stream holds one for its
// life, so the pool has room for all of them and for this many other requests at once.
constexpr std::size_t kRequestThreads = 8;
// A connection whose socket takes nothing for this long is closed (a stalled viewer).
constexpr time_t kWriteTimeoutSeconds = 2;

/// The host of a Host header ("127.0.0.1:9091", "[::1]:9091", "localhost").
std::string_view host_of(std::string_view header) {
  if (header.starts_with('[')) return header.substr(1, header.find(']') - 1);
  return header.substr(0, header.find(':'));
}

}  // namespace

HttpEndpoint::HttpEndpoint(const ServerOptions& options, DetectorService& service)
    : service_(service),
      live_(
          std::make_unique<LiveView>([&service] { return service.backend().latest_frames(); },
                                     LiveViewOptions{.fps = options.preview_fps,
                                                     .max_viewers = options.max_preview_viewers})) {
  if (options.tls_cert.empty()) {
    server_ = std::make_unique<httplib::Server>();
  } else {
    server_ =
        std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
  }
  if (!server_->is_valid())
    throw std::runtime_error("--http: cannot set up TLS with --tls-cert/--tls-key");
  if (options.token) token_.emplace(*options.token);
  const std::size_t threads = options.max_preview_viewers + kRequestThreads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_write_timeout(kWriteTimeoutSeconds);
  server_->set_payload_max_length(4096);  // GETs and small JSON POSTs only
  server_->set_pre_routing_handler([this](const httplib::Request& request,
                                          httplib::Response& response) {
    // The page itself is open: it holds no data and is what asks for the token.
    const bool page = request.method == "GET" && request.path == "/";
    if (token_ && !page && !token_->accepts(request.get_header_value("Authorization"))) {
      response.status = 401;
      response.set_header("WWW-Authenticate", "Bearer");
      response.set_content("a valid 'Authorization: Bearer <token>' is required\n", "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    }
    const std::string host = request.get_header_value("Host");
    if (!token_ && !host.empty() && !is_loopback_host(host_of(host))) {
      response.status = 403;
      response.set_content("Host: not a loopback name; this server has no token\n", "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(
        prometheus_text(service_.status()) + live_view_metrics_text(live_->counters()),
        "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok\n", "text/plain");
  });
  add_live_view_routes(*server_, service_, *live_);

  const HostPort address = parse_address(options.http_address, "--http");
  port_ = address.port == 0
              ? server_->bind_to_any_port(address.host)
              : (server_->bind_to_port(address.host, address.port) ? address.port : -1);
  if (port_ <= 0) {
    throw std::runtime_error("--http: cannot listen on " + options.http_address);
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

HttpEndpoint::~HttpEndpoint() {
  server_->stop();
  thread_.join();  // every connection, live view streams included, has ended
  live_.reset();
}

}  // namespace daq::service
