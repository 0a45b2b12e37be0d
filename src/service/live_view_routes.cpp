#include "live_view_routes.hpp"

#include <google/protobuf/util/json_util.h>
#include <httplib.h>

#include <charconv>
#include <chrono>
#include <optional>
#include <string_view>

#include "daq/service/service_error.hpp"
#include "daq/storage/tiff_encoder.hpp"
#include "live_view_page.hpp"
#include "png_encoder.hpp"

namespace daq::service {
namespace {

using namespace std::chrono_literals;

// A stream waits this long for a frame before it checks its connection again, and sends a
// heartbeat (an empty message) after this many empty waits: a vanished browser is noticed
// within about a second even when no frames come.
constexpr auto kTakeWait = 250ms;
constexpr int kWaitsPerHeartbeat = 4;
constexpr std::uint32_t kDefaultMaxSide = 1024;
constexpr std::uint32_t kMaxSide = 1 << 16;

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument:
      return 400;
    case ErrorCode::unauthenticated:
      return 401;
    case ErrorCode::permission_denied:
      return 403;
    case ErrorCode::failed_precondition:
    case ErrorCode::already_exists:
      return 409;
    case ErrorCode::resource_exhausted:
      return 429;
    case ErrorCode::unimplemented:
      return 501;
    case ErrorCode::deadline_exceeded:
      return 504;
  }
  return 500;
}

/// Runs `body`, answering a ServiceError (or a bad value) with its status and message.
template <class F>
void answered(httplib::Response& response, F&& body) {
  try {
    body();
  } catch (const ServiceError& e) {
    response.status = http_status(e.code());
    response.set_content(std::string(e.what()) + "\n", "text/plain");
  } catch (const std::invalid_argument& e) {  // ConfigError is one
    response.status = 400;
    response.set_content(std::string(e.what()) + "\n", "text/plain");
  }
}

/// The query parameter `name` as a number in [1, kMaxSide], or `fallback` when absent.
std::uint32_t side_param(const httplib::Request& request, const char* name,
                         std::uint32_t fallback) {
  if (!request.has_param(name)) return fallback;
  const std::string text = request.get_param_value(name);
  std::uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > kMaxSide) {
    throw ServiceError(ErrorCode::invalid_argument, std::string(name) + ": '" + text +
                                                        "' is not a whole number in 1.." +
                                                        std::to_string(kMaxSide));
  }
  return value;
}

std::string to_json(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

void require_json(const httplib::Request& request) {
  if (request.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
    throw ServiceError(ErrorCode::invalid_argument,
                       "Content-Type: must be application/json for " + request.path);
  }
}

/// Encodes the newest preview frame with `encode`; 409 before the first frame.
template <class Encode>
void latest_as(DetectorService& service, httplib::Response& response, const char* content_type,
               Encode&& encode) {
  std::optional<LatestFrameReader> reader = service.backend().latest_frames();
  if (!reader) throw ServiceError(ErrorCode::unimplemented, "this server has no image preview");
  std::string bytes;
  std::uint64_t frame_number = 0;
  const bool have = reader->with_latest([&](const FrameView& frame) {
    bytes = encode(frame);
    frame_number = frame.frame_number();
  });
  if (!have) throw ServiceError(ErrorCode::failed_precondition, "no frame yet (Start a series)");
  response.set_header("Cache-Control", "no-store");
  response.set_header("X-Daq-Frame-Number", std::to_string(frame_number));
  response.set_content(std::move(bytes), content_type);
}

/// One browser's stream: its viewer slot and the buffer its messages are written from.
struct StreamConnection {
  std::shared_ptr<LiveView::Viewer> viewer;
  std::vector<std::byte> message;
  int empty_waits = 0;
};

void stream(LiveView& live, const httplib::Request& request, httplib::Response& response) {
  auto connection = std::make_shared<StreamConnection>();
  connection->viewer = live.connect(side_param(request, "max_width", kDefaultMaxSide),
                                    side_param(request, "max_height", kDefaultMaxSide));
  response.set_header("Cache-Control", "no-store");
  response.set_chunked_content_provider(
      "application/octet-stream",
      [&live, connection](std::size_t, httplib::DataSink& sink) {
        StreamConnection& c = *connection;
        if (c.viewer->take(c.message, kTakeWait)) {
          c.empty_waits = 0;
          if (!sink.write(reinterpret_cast<const char*>(c.message.data()), c.message.size())) {
            return false;  // the browser went away or stalled past the write timeout
          }
          live.count_sent();
          return true;
        }
        if (++c.empty_waits < kWaitsPerHeartbeat) return true;
        c.empty_waits = 0;
        static constexpr char kHeartbeat[4] = {};
        return sink.write(kHeartbeat, sizeof kHeartbeat);
      },
      [&live, connection](bool) { live.disconnect(connection->viewer); });
}

}  // namespace

void add_live_view_routes(httplib::Server& server, DetectorService& service, LiveView& live) {
  server.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_header("Cache-Control", "no-store");
    response.set_content(kLiveViewPage.data(), kLiveViewPage.size(), "text/html; charset=utf-8");
  });
  server.Get("/api/stream", [&live](const httplib::Request& request, httplib::Response& response) {
    answered(response, [&] { stream(live, request, response); });
  });
  server.Get("/api/status", [&service](const httplib::Request&, httplib::Response& response) {
    response.set_header("Cache-Control", "no-store");
    response.set_content(to_json(service.status()), "application/json");
  });
  server.Post(
      "/api/start", [&service](const httplib::Request& request, httplib::Response& response) {
        answered(response, [&] {
          require_json(request);
          v1::StartRequest start;
          const auto parsed = google::protobuf::util::JsonStringToMessage(request.body, &start);
          if (!parsed.ok()) {
            throw ServiceError(ErrorCode::invalid_argument, "body: not a StartRequest in JSON: " +
                                                                std::string(parsed.message()));
          }
          response.set_content(to_json(service.start(start)), "application/json");
        });
      });
  server.Post("/api/stop",
              [&service](const httplib::Request& request, httplib::Response& response) {
                answered(response, [&] {
                  require_json(request);
                  service.backend().stop();
                  response.set_content("{}", "application/json");
                });
              });
  server.Get("/api/latest.tiff", [&service](const httplib::Request&, httplib::Response& response) {
    answered(response, [&] {
      latest_as(service, response, "image/tiff",
                [](const FrameView& frame) { return storage::encode_tiff(frame); });
    });
  });
  server.Get("/api/latest.png", [&service](const httplib::Request&, httplib::Response& response) {
    answered(response, [&] {
      latest_as(service, response, "image/png",
                [](const FrameView& frame) { return encode_png_auto_contrast(frame); });
    });
  });
}

std::string live_view_metrics_text(const LiveView::Counters& counters) {
  std::string text;
  const auto metric = [&](std::string_view name, std::string_view type, std::string_view help,
                          std::uint64_t value) {
    text.append("# HELP ").append(name).append(" ").append(help).append("\n");
    text.append("# TYPE ").append(name).append(" ").append(type).append("\n");
    text.append(name).append(" ").append(std::to_string(value)).append("\n");
  };
  metric("daq_preview_viewers", "gauge", "Live view streams connected now.", counters.viewers);
  metric("daq_preview_frames_shown_total", "counter",
         "Frames the live view binned and offered to its viewers.", counters.frames_shown);
  metric("daq_preview_frames_sent_total", "counter",
         "Live view messages written to viewers' connections.", counters.frames_sent);
  metric("daq_preview_frames_dropped_total", "counter",
         "Live view messages replaced before a slow viewer took them.", counters.frames_dropped);
  return text;
}

}  // namespace daq::service
