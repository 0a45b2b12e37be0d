// daq/acquisition/instrument.hpp — Instrument: one camera, kept open, running series of frames
// into files. Every front end (`daq acquire`, the service, the Python module) runs a series
// through this class, so validation, file naming and the summary exist once.
//
// Life: prepare(settings) checks everything that can reject the input (camera and output
// settings, the output path) and opens the camera, creating no file; open() creates the file;
// run() runs the series to its end and returns its Summary (whose JSON form the front end writes
// to settings.summary_json with write_summary_file(), output.hpp, after showing it). Then
// prepare(), open() and run() again for the next series.
//
// The camera and its pool: the camera is opened, and the pool of `pool_frames` frames mapped,
// once; later series reuse both (no per-series mapping) as long as the camera settings and the
// pool size stay the same. The frame count and the duration are the series' own (each start
// gives the camera its count, StartOptions): changing them reuses the camera. A change of any
// other camera setting (camera, geometry, bit depth, timing, pattern, ...) or of the pool size
// re-opens the camera and maps a new pool in prepare(); camera_openings() counts the openings.
// The pool's high-water mark (Status, Summary) is the pool's: since the camera was opened, not
// since the series began.
//
// Ending a series: the camera finished, the duration passed, the writer failed, or
//   stop()  — graceful: the camera stops, the writer writes every frame already delivered and
//             finishes the file;
//   abort() — now: the camera stops, frames still queued for the writer are discarded (counted
//             as dropped, cause "aborted"); the file is finished with what was written, valid,
//             its missing frames recorded.
// A stop() or abort() before run() ends that run at once (its file is still created and
// finished, empty).
//
// Thread-safety: prepare(), open(), run() and camera_name() from one control thread at a time.
// stop(), abort(), status() and camera_openings() from any thread, also during run(). status()
// takes a mutex the control thread holds only briefly and that the delivery thread never takes, so
// reading it never stalls the frames. Allocation: control calls allocate; the frame path does not
// (docs/architecture.md), which the summary's hot_path_allocations_per_frame measures.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "daq/acquisition/settings.hpp"
#include "daq/acquisition/summary.hpp"
#include "daq/pipeline/frame_source.hpp"
#include "daq/pipeline/metrics.hpp"
#include "daq/pipeline/observer.hpp"
#include "daq/pipeline/tap_registry.hpp"

namespace daq::acquisition {

enum class SeriesState { idle, acquiring, saving, error };

std::string_view to_string(SeriesState state) noexcept;

/// A snapshot of the instrument for a display or a remote client.
struct Status {
  SeriesState state = SeriesState::idle;
  std::uint64_t frames_produced = 0;
  std::uint64_t frames_written = 0;
  std::uint64_t frames_total = 0;  ///< 0 when the series is open-ended
  std::uint64_t frames_dropped = 0;
  std::uint64_t lost_hw_frames = 0;
  std::uint64_t bytes_written = 0;
  std::uint64_t pool_in_use = 0;
  std::uint64_t pool_high_water = 0;
  std::uint64_t pool_capacity = 0;
  std::uint64_t fallback_allocations = 0;
  double elapsed_s = 0.0;
  double duration_limit_s = 0.0;     ///< 0 when there is no duration
  double frames_per_s = 0.0;         ///< written frames over the elapsed time
  double mb_per_s = 0.0;             ///< written pixel bytes over the elapsed time
  std::uint64_t stream_sent = 0;     ///< with --stream: images sent so far
  std::uint64_t stream_dropped = 0;  ///< with --stream: images the stream dropped so far
  bool streaming = false;            ///< the series has a --stream
  std::string current_file;          ///< the file of the running (or last) series
  std::string last_error;            ///< of the last series; empty when it succeeded
};

struct InstrumentOptions {
  /// The calling thread's allocations so far (e.g. daq::alloc_counter::this_thread()); when
  /// set, each series measures the allocations of its frame path. Must not allocate.
  std::uint64_t (*thread_allocations)() noexcept = nullptr;
  /// Pooled frames the owner's sharing taps (add_sharing_tap) may hold at once, in total: every
  /// pool is that much larger, so the series' outputs never lose a frame to those taps.
  std::size_t tap_frames_held = 0;
};

class Instrument {
 public:
  explicit Instrument(InstrumentOptions options = {});
  ~Instrument();
  Instrument(const Instrument&) = delete;
  Instrument& operator=(const Instrument&) = delete;

  /// Validates `settings` (ConfigError naming the flag and the limit; SourceError when the
  /// camera cannot be reached) and readies the camera; creates no file.
  void prepare(const Settings& settings);

  /// Creates the prepared series' file: ConfigError naming --out when it cannot be created,
  /// StorageError for other failures.
  void open();

  /// Runs the prepared series (open()s it first if that was not done) and finishes the file.
  /// `on_tick` is called about every 200 ms on this thread with the status (e.g. to draw progress,
  /// or to call stop()).
  Summary run(const std::function<void(const Status&)>& on_tick = {});

  /// Shows every frame of the open camera to `observer` (on the delivery thread; observer.hpp),
  /// in every later series while the camera stays open. prepare() with other camera settings
  /// re-opens the camera and ends the registration: register again after it. Throws
  /// std::logic_error before the first prepare().
  ObserverHandle register_observer(std::unique_ptr<FrameObserver> observer,
                                   ObserverOptions options = {});
  /// A zero-copy tap of the open camera (TapRegistry::add_sharing_tap), kept like
  /// register_observer's. Throws std::logic_error before the first prepare() and
  /// std::invalid_argument when options.frames_held exceeds InstrumentOptions::tap_frames_held.
  SharingTap add_sharing_tap(std::string name, SharingTapOptions options);
  /// The open camera's frames (size, bit depth, sensor; what an observer that copies frames
  /// must hold) and model ("SimCamera", "PVCAM", "GenICam"); zero / empty before the first
  /// prepare(). From the control thread.
  SourceFormat format() const;
  const std::string& camera_model() const;

  void stop() noexcept;
  void abort() noexcept;

  /// The running series' live status; between series, the last series' final status with the
  /// open camera's pool figures as they are now. Any thread.
  Status status() const;
  /// The open camera's delivery metrics (ledger by cause, pool, per-tap counters, acquire-wait
  /// percentiles; daq/pipeline/metrics.hpp); nullopt before the first prepare(). Any thread;
  /// takes the mutex status() takes.
  std::optional<MetricsSnapshot> metrics() const;
  /// How often the camera was opened and its pool mapped.
  std::uint64_t camera_openings() const noexcept;
  /// "sim:SimCam0": the prepared camera's name.
  const std::string& camera_name() const;

 private:
  struct Camera;
  struct Series;
  Status live_status_locked() const;
  /// Ends the series' stream (if any): closes its input, drains it, sends the end message.
  std::optional<StreamSummary> end_stream();

  const InstrumentOptions options_;
  std::unique_ptr<Camera> camera_;
  std::unique_ptr<Series> series_;  // prepared or running
  mutable std::mutex mutex_;        // guards series_'s running parts and last_status_
  Status last_status_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> abort_{false};
  std::atomic<std::uint64_t> camera_openings_{0};
  std::uint64_t series_count_ = 0;  // the Stream V2 series_id of the last series
};

}  // namespace daq::acquisition
