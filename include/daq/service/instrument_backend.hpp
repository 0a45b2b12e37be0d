// daq/service/instrument_backend.hpp — InstrumentBackend: the service's DetectorBackend over
// the acquisition core (daq/acquisition/instrument.hpp). The camera stays open and its pool
// mapped across series; a series runs on the backend's own control thread.
//
// Contract (beyond detector_backend.hpp)
// - The constructor validates the initial settings and opens the camera (Instrument::prepare
//   with a probe file name in the data directory; no file is created): ConfigError naming the
//   flag, SourceError when the camera cannot be reached.
// - set_config validates the changed settings the same way (a change of a camera setting or of
//   the pool re-opens the camera then, not at the next Start).
// - start: prepare + open on the caller's thread (refusals come back to the caller, no file is
//   left behind), then run() on the control thread; the series' id counts from 1.
// - The preview: a LatestFrame over a sharing tap of the open camera (added again whenever a
//   setting re-opens the camera), given every Nth frame so that it takes about kPreviewHz
//   frames a second (every 10th when the camera is free-running). It copies nothing: it holds
//   up to kPreviewFramesHeld of the camera's pooled frames, and every pool is that much larger.
// - The destructor stops a running series and waits for its file.
//
// Thread-safety: every method from any thread. `mutex_` guards the settings and the series
// bookkeeping; it is never held while a series runs, and the delivery thread never takes it.
// Allocation: control calls allocate; the preview's tap shares pooled frames, so the frame path
// allocates (and copies) nothing for it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "daq/acquisition/instrument.hpp"
#include "daq/acquisition/settings.hpp"
#include "daq/service/detector_backend.hpp"

namespace daq::service {

class InstrumentBackend final : public DetectorBackend {
 public:
  static constexpr double kPreviewHz = 30.0;
  /// Pooled frames the preview holds at most: the latest, and the next one arriving.
  static constexpr std::size_t kPreviewFramesHeld = 2;

  InstrumentBackend(acquisition::Settings initial, const std::filesystem::path& data_dir,
                    acquisition::InstrumentOptions options = {});
  ~InstrumentBackend() override;
  InstrumentBackend(const InstrumentBackend&) = delete;
  InstrumentBackend& operator=(const InstrumentBackend&) = delete;

  v1::DetectorInfo info() const override;
  v1::AcquisitionConfig config() const override;
  v1::AcquisitionConfig set_config(const v1::AcquisitionConfig& patch) override;
  std::uint64_t start(const std::filesystem::path& file, bool overwrite) override;
  void stop() override;
  void abort() override;
  v1::Status status() const override;
  std::optional<v1::SeriesSummary> wait_idle(std::chrono::nanoseconds timeout) override;
  std::optional<LatestFrameReader> latest_frames() const override;

 private:
  /// Instrument::prepare() for `settings` writing `out`; ConfigError → ServiceError.
  void prepare(acquisition::Settings settings, const std::filesystem::path& out, bool overwrite);
  void run_series(std::uint64_t id);
  /// After a prepare(): a new preview tap when the camera was (re-)opened. Under mutex_.
  void attach_preview();

  const std::filesystem::path probe_file_;
  acquisition::Instrument instrument_;
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  acquisition::Settings settings_;
  bool running_ = false;                     // from start() until run() returned
  std::atomic<bool> series_started_{false};  // run()'s first tick came (the stream runs)
  std::string starting_file_;
  std::uint64_t series_id_ = 0;
  std::optional<v1::SeriesSummary> last_summary_;
  std::uint64_t preview_opening_ = 0;            // camera_openings() the preview is registered with
  std::unique_ptr<LatestFrame> preview_frames_;  // ends (joins) before instrument_ is destroyed
  std::optional<LatestFrameReader> preview_;
  std::thread control_;
};

}  // namespace daq::service
