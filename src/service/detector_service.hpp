// detector_service.hpp — the daq.v1.Detector handlers: authentication, error mapping, file
// naming and the path policy, stream limits; everything else is the backend's.
// Thread-safety: handlers run on gRPC's threads, concurrently. Allocation: per call.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

#include "daq/service/detector_backend.hpp"
#include "daq/service/server.hpp"
#include "daq/v1/detector.grpc.pb.h"

namespace daq::service {

class DetectorService final : public v1::Detector::Service {
 public:
  DetectorService(DetectorBackend& backend, const ServerOptions& options);

  /// Ends WatchStatus, StreamImages and WaitIdle calls promptly; called before the gRPC server
  /// shuts down.
  void begin_shutdown();

  /// Frames image-stream clients were too slow for, over all calls.
  std::uint64_t image_frames_skipped() const noexcept {
    return image_frames_skipped_.load(std::memory_order_relaxed);
  }

  grpc::Status GetInfo(grpc::ServerContext* ctx, const v1::GetInfoRequest* request,
                       v1::DetectorInfo* reply) override;
  grpc::Status GetConfig(grpc::ServerContext* ctx, const v1::GetConfigRequest* request,
                         v1::AcquisitionConfig* reply) override;
  grpc::Status SetConfig(grpc::ServerContext* ctx, const v1::AcquisitionConfig* request,
                         v1::AcquisitionConfig* reply) override;
  grpc::Status Start(grpc::ServerContext* ctx, const v1::StartRequest* request,
                     v1::StartReply* reply) override;
  grpc::Status Stop(grpc::ServerContext* ctx, const v1::StopRequest* request,
                    v1::StopReply* reply) override;
  grpc::Status Abort(grpc::ServerContext* ctx, const v1::AbortRequest* request,
                     v1::AbortReply* reply) override;
  grpc::Status GetStatus(grpc::ServerContext* ctx, const v1::GetStatusRequest* request,
                         v1::Status* reply) override;
  grpc::Status WatchStatus(grpc::ServerContext* ctx, const v1::WatchStatusRequest* request,
                           grpc::ServerWriter<v1::Status>* writer) override;
  grpc::Status WaitIdle(grpc::ServerContext* ctx, const v1::WaitIdleRequest* request,
                        v1::WaitIdleReply* reply) override;
  grpc::Status GetLatestImage(grpc::ServerContext* ctx, const v1::GetLatestImageRequest* request,
                              v1::Image* reply) override;
  grpc::Status StreamImages(grpc::ServerContext* ctx, const v1::StreamImagesRequest* request,
                            grpc::ServerWriter<v1::Image>* writer) override;

  /// The status with the service's own counters filled in (also what /metrics shows).
  v1::Status status() const;

  /// Start without the token check: names the file (template, next number), applies the path
  /// policy and starts the series; throws ServiceError. The HTTP live view's Start is this.
  v1::StartReply start(const v1::StartRequest& request);

  DetectorBackend& backend() const noexcept { return backend_; }

 private:
  /// Runs `body`, mapping exceptions to status codes (the token was checked before the call
  /// reached the service: call_credentials.hpp).
  template <class F>
  grpc::Status guarded(F&& body);
  /// Waits up to `period` or until shutdown / cancellation; false when the call should end.
  bool pace(grpc::ServerContext* ctx, std::chrono::nanoseconds period);
  /// True when the server is shutting down or the client cancelled the call.
  bool ending(grpc::ServerContext* ctx);

  DetectorBackend& backend_;
  const ServerOptions& options_;

  std::mutex start_mutex_;  // serialises Start (file naming + the next number)
  std::uint32_t next_file_number_ = 1;

  std::atomic<std::size_t> image_streams_{0};
  std::atomic<std::uint64_t> image_frames_skipped_{0};

  std::mutex shutdown_mutex_;
  std::condition_variable shutdown_cv_;
  bool shutting_down_ = false;
};

}  // namespace daq::service
