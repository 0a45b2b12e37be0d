#include "detector_service.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>

#include "daq/service/file_template.hpp"
#include "daq/service/path_policy.hpp"
#include "daq/service/service_error.hpp"
#include "image_binning.hpp"

namespace daq::service {
namespace {

using std::chrono::nanoseconds;

grpc::StatusCode grpc_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case ErrorCode::failed_precondition:
      return grpc::StatusCode::FAILED_PRECONDITION;
    case ErrorCode::already_exists:
      return grpc::StatusCode::ALREADY_EXISTS;
    case ErrorCode::permission_denied:
      return grpc::StatusCode::PERMISSION_DENIED;
    case ErrorCode::resource_exhausted:
      return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case ErrorCode::unauthenticated:
      return grpc::StatusCode::UNAUTHENTICATED;
    case ErrorCode::deadline_exceeded:
      return grpc::StatusCode::DEADLINE_EXCEEDED;
    case ErrorCode::unimplemented:
      return grpc::StatusCode::UNIMPLEMENTED;
  }
  return grpc::StatusCode::UNKNOWN;
}

nanoseconds period_of(double requested_hz, double max_hz, double default_hz) {
  const double hz = std::min(requested_hz > 0 ? requested_hz : default_hz, max_hz);
  return std::chrono::duration_cast<nanoseconds>(std::chrono::duration<double>(1.0 / hz));
}

void check_binning(std::uint32_t binning) {
  if (binning > kMaxImageBinning) {
    throw ServiceError(ErrorCode::invalid_argument, "binning: " + std::to_string(binning) +
                                                        " is above the limit of " +
                                                        std::to_string(kMaxImageBinning));
  }
}

LatestFrameReader preview_of(const DetectorBackend& backend) {
  std::optional<LatestFrameReader> reader = backend.latest_frames();
  if (!reader) throw ServiceError(ErrorCode::unimplemented, "this server has no image preview");
  return *std::move(reader);
}

/// The newest frame as an image; false before the first frame.
bool latest_image(const LatestFrameReader& reader, std::uint32_t binning, std::size_t max_bytes,
                  v1::Image& image) {
  const bool have =
      reader.with_latest([&](const FrameView& frame) { bin_image(frame, binning, image); });
  if (have && image.pixels().size() > max_bytes) {
    throw ServiceError(ErrorCode::resource_exhausted,
                       "binning: the image takes " + std::to_string(image.pixels().size()) +
                           " bytes, above the message cap of " + std::to_string(max_bytes) +
                           "; ask for a larger binning");
  }
  return have;
}

/// Holds one of the limited image-stream slots.
class StreamSlot {
 public:
  StreamSlot(std::atomic<std::size_t>& used, std::size_t limit) : used_(used) {
    if (used_.fetch_add(1, std::memory_order_relaxed) >= limit) {
      used_.fetch_sub(1, std::memory_order_relaxed);
      throw ServiceError(ErrorCode::resource_exhausted,
                         "StreamImages: at most " + std::to_string(limit) +
                             " image streams at once (--max-image-streams)");
    }
  }
  ~StreamSlot() { used_.fetch_sub(1, std::memory_order_relaxed); }
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;

 private:
  std::atomic<std::size_t>& used_;
};

}  // namespace

DetectorService::DetectorService(DetectorBackend& backend, const ServerOptions& options)
    : backend_(backend), options_(options) {}

template <class F>
grpc::Status DetectorService::guarded(F&& body) {
  try {
    body();
    return grpc::Status::OK;
  } catch (const ServiceError& e) {
    return {grpc_code(e.code()), e.what()};
  } catch (const std::invalid_argument& e) {  // ConfigError is one
    return {grpc::StatusCode::INVALID_ARGUMENT, e.what()};
  } catch (const std::exception& e) {
    return {grpc::StatusCode::INTERNAL, e.what()};
  }
}

void DetectorService::begin_shutdown() {
  {
    std::lock_guard lock(shutdown_mutex_);
    shutting_down_ = true;
  }
  shutdown_cv_.notify_all();
}

bool DetectorService::pace(grpc::ServerContext* ctx, nanoseconds period) {
  {
    std::unique_lock lock(shutdown_mutex_);
    shutdown_cv_.wait_for(lock, period, [&] { return shutting_down_; });
  }
  return !ending(ctx);
}

bool DetectorService::ending(grpc::ServerContext* ctx) {
  const std::lock_guard lock(shutdown_mutex_);
  return shutting_down_ || ctx->IsCancelled();
}

v1::Status DetectorService::status() const {
  v1::Status status = backend_.status();
  status.set_image_frames_skipped(image_frames_skipped());
  return status;
}

grpc::Status DetectorService::GetInfo(grpc::ServerContext* /*ctx*/, const v1::GetInfoRequest*,
                                      v1::DetectorInfo* reply) {
  return guarded([&] { *reply = backend_.info(); });
}

grpc::Status DetectorService::GetConfig(grpc::ServerContext* /*ctx*/, const v1::GetConfigRequest*,
                                        v1::AcquisitionConfig* reply) {
  return guarded([&] { *reply = backend_.config(); });
}

grpc::Status DetectorService::SetConfig(grpc::ServerContext* /*ctx*/,
                                        const v1::AcquisitionConfig* request,
                                        v1::AcquisitionConfig* reply) {
  return guarded([&] { *reply = backend_.set_config(*request); });
}

v1::StartReply DetectorService::start(const v1::StartRequest& request) {
  const bool templated = !request.file_template().empty();
  if (templated == !request.file().empty()) {
    throw ServiceError(ErrorCode::invalid_argument,
                       "file, file_template: give exactly one of them");
  }
  std::lock_guard lock(start_mutex_);
  const std::uint32_t number =
      request.has_file_number() ? request.file_number() : next_file_number_;
  const std::string requested =
      templated ? format_file_template(request.file_template(), request.file_path(),
                                       request.file_name(), number)
                : request.file();
  const char* field = templated ? "file_template" : "file";
  const std::filesystem::path file = resolve_in_data_dir(options_.data_dir, requested, field);
  if (!request.overwrite() && std::filesystem::exists(file)) {
    throw ServiceError(ErrorCode::already_exists,
                       std::string(field) + ": '" + requested + "' exists (set overwrite)");
  }
  v1::StartReply reply;
  reply.set_series_id(backend_.start(file, request.overwrite()));
  reply.set_file(file.string());
  if (templated) next_file_number_ = number + 1;
  reply.set_next_file_number(next_file_number_);
  return reply;
}

grpc::Status DetectorService::Start(grpc::ServerContext* /*ctx*/, const v1::StartRequest* request,
                                    v1::StartReply* reply) {
  return guarded([&] { *reply = start(*request); });
}

grpc::Status DetectorService::Stop(grpc::ServerContext* /*ctx*/, const v1::StopRequest*,
                                   v1::StopReply*) {
  return guarded([&] { backend_.stop(); });
}

grpc::Status DetectorService::Abort(grpc::ServerContext* /*ctx*/, const v1::AbortRequest*,
                                    v1::AbortReply*) {
  return guarded([&] { backend_.abort(); });
}

grpc::Status DetectorService::GetStatus(grpc::ServerContext* /*ctx*/, const v1::GetStatusRequest*,
                                        v1::Status* reply) {
  return guarded([&] { *reply = status(); });
}

grpc::Status DetectorService::WatchStatus(grpc::ServerContext* ctx,
                                          const v1::WatchStatusRequest* request,
                                          grpc::ServerWriter<v1::Status>* writer) {
  return guarded([&] {
    const nanoseconds period = period_of(request->max_hz(), options_.max_status_hz, 2.0);
    do {
      if (!writer->Write(status())) return;  // the client went away
    } while (pace(ctx, period));
  });
}

grpc::Status DetectorService::WaitIdle(grpc::ServerContext* ctx, const v1::WaitIdleRequest* request,
                                       v1::WaitIdleReply* reply) {
  return guarded([&] {
    using Clock = std::chrono::steady_clock;
    const bool limited = request->timeout_s() > 0;
    const auto deadline =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(limited ? request->timeout_s() : 0.0));
    // Waits in slices so that a cancelled call or a shutdown ends it.
    constexpr nanoseconds kSlice = std::chrono::milliseconds(100);
    for (;;) {
      const nanoseconds left =
          limited ? std::chrono::duration_cast<nanoseconds>(deadline - Clock::now()) : kSlice;
      if (auto summary = backend_.wait_idle(std::clamp(left, nanoseconds(0), kSlice))) {
        *reply->mutable_summary() = std::move(*summary);
        return;
      }
      if (limited && Clock::now() >= deadline) {
        throw ServiceError(
            ErrorCode::deadline_exceeded,
            "timeout_s: still acquiring after " + std::to_string(request->timeout_s()) + " s");
      }
      if (ending(ctx)) {
        throw ServiceError(ErrorCode::failed_precondition, "WaitIdle: the server is stopping");
      }
    }
  });
}

grpc::Status DetectorService::GetLatestImage(grpc::ServerContext* /*ctx*/,
                                             const v1::GetLatestImageRequest* request,
                                             v1::Image* reply) {
  return guarded([&] {
    check_binning(request->binning());
    if (!latest_image(preview_of(backend_), request->binning(), options_.max_message_bytes,
                      *reply)) {
      throw ServiceError(ErrorCode::failed_precondition, "GetLatestImage: no frame yet");
    }
  });
}

grpc::Status DetectorService::StreamImages(grpc::ServerContext* ctx,
                                           const v1::StreamImagesRequest* request,
                                           grpc::ServerWriter<v1::Image>* writer) {
  return guarded([&] {
    check_binning(request->binning());
    const StreamSlot slot(image_streams_, options_.max_image_streams);
    const nanoseconds period = period_of(request->max_fps(), options_.max_image_fps, 10.0);
    const LatestFrameReader reader = preview_of(backend_);
    std::uint64_t sent_through = reader.frames();  // frames published when we last looked
    do {
      const std::uint64_t published = reader.frames();
      if (published == sent_through) continue;  // nothing new
      v1::Image image;
      if (!latest_image(reader, request->binning(), options_.max_message_bytes, image)) continue;
      const std::uint64_t skipped = published - sent_through - 1;
      image.set_frames_skipped(skipped);
      image_frames_skipped_.fetch_add(skipped, std::memory_order_relaxed);
      sent_through = published;
      if (!writer->Write(image)) return;  // the client went away
    } while (pace(ctx, period));
  });
}

}  // namespace daq::service
