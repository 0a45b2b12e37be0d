// live_view_routes.hpp — the browser live view over cpp-httplib (docs/adr/0016-live-view.md):
//
//   GET  /                  the page (live_view_page.html, embedded in the binary)
//   GET  /api/stream        chunked application/octet-stream of live_view_message.hpp messages,
//                           binned to ?max_width=W&max_height=H (default 1024 x 1024)
//   GET  /api/status        the Status message (as GetStatus) in protobuf's JSON form
//   POST /api/start         a StartRequest in JSON -> StartReply: the gRPC Start's own code
//   POST /api/stop          the gRPC Stop's backend call
//   GET  /api/latest.tiff   the newest frame, full resolution and bit depth (TiffWriter's page)
//   GET  /api/latest.png    the newest frame, 8-bit auto contrast (contrast.hpp)
//
// POSTs must carry Content-Type: application/json, which a cross-site form cannot send without
// a CORS preflight (this server answers none). Refusals answer with the ServiceError's HTTP
// status and its one-line message. Authentication is the endpoint's (http_endpoint.cpp).
//
// Thread-safety: handlers run on httplib's threads; `service` and `live` outlive the server.
// Allocation: per request; a stream's buffers are reused for its whole life.
#pragma once

#include <string>

#include "detector_service.hpp"
#include "live_view.hpp"

namespace httplib {
class Server;
}

namespace daq::service {

void add_live_view_routes(httplib::Server& server, DetectorService& service, LiveView& live);

/// The live view's counters in the Prometheus text format, appended to /metrics.
std::string live_view_metrics_text(const LiveView::Counters& counters);

}  // namespace daq::service
