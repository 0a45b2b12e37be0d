// daq/service/detector_backend.hpp — DetectorBackend: the narrow interface the daq.v1.Detector
// service drives. The service maps RPCs onto it (authentication, path policy, file naming,
// limits); an implementation maps it onto the acquisition core. Messages are the API's own
// (proto/daq/v1/detector.proto), so no second set of settings types exists.
//
// Contract for implementations
// - Every method may be called from any gRPC thread at any time, concurrently.
// - Refusals throw ServiceError with the code and a message naming the field and the limit:
//   set_config: invalid_argument (a field), failed_precondition (a series runs),
//   resource_exhausted (the pool would exceed the memory budget; nothing mapped);
//   start: failed_precondition (a series runs), already_exists (file, no overwrite).
// - start() returns once the series runs (or throws); the file is `file`, already checked by the
//   service to lie inside the data directory.
// - wait_idle() returns the summary of the last series once acquisition AND writing are done,
//   or nullopt when `timeout` passed first (nanoseconds::max(): no limit); it never holds a
//   lock the delivery thread takes.
// - latest_frames() is the reader of a LatestFrame the backend keeps fed from the camera (the
//   service reads it on its own threads, never the delivery thread), or nullopt when the
//   backend offers no preview (GetLatestImage and StreamImages then answer UNIMPLEMENTED).
// - Allocation: every method is a control call and may allocate; none runs on the frame path.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>

#include "daq/pipeline/latest_frame.hpp"
#include "daq/v1/detector.pb.h"

namespace daq::service {

class DetectorBackend {
 public:
  virtual ~DetectorBackend() = default;

  virtual v1::DetectorInfo info() const = 0;
  virtual v1::AcquisitionConfig config() const = 0;
  /// Applies the fields present in `patch`; returns the whole configuration now in effect.
  virtual v1::AcquisitionConfig set_config(const v1::AcquisitionConfig& patch) = 0;
  /// Starts a series writing `file`; returns its id.
  virtual std::uint64_t start(const std::filesystem::path& file, bool overwrite) = 0;
  /// No-ops when idle.
  virtual void stop() = 0;
  virtual void abort() = 0;
  virtual v1::Status status() const = 0;
  virtual std::optional<v1::SeriesSummary> wait_idle(std::chrono::nanoseconds timeout) = 0;
  virtual std::optional<LatestFrameReader> latest_frames() const = 0;
};

}  // namespace daq::service
