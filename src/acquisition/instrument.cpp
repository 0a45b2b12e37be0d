#include "daq/acquisition/instrument.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string_view>
#include <utility>

#include "daq/acquisition/camera_factory.hpp"
#include "daq/acquisition/detail/allocation_probe.hpp"
#include "daq/acquisition/flag_names.hpp"
#include "daq/acquisition/output.hpp"
#include "daq/acquisition/pool_plan.hpp"
#include "daq/pipeline/delivery.hpp"
#include "daq/pool/log.hpp"
#include "daq/storage/writer_thread.hpp"
#if DAQ_HAVE_STREAM
#include "stream_output.hpp"
#endif

namespace daq::acquisition {
namespace {

using Clock = std::chrono::steady_clock;

/// Runs `f`, giving the libraries' configuration errors the names of the flags.
template <class F>
auto naming_flags(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const ConfigError& e) {
    throw ConfigError(with_flag_names(e.what()));
  }
}

/// Frames the primary channel can hold: every pooled frame plus the heap-fallback frames
/// the budget allows, so that a fallback frame is not dropped as channel_full.
std::size_t channel_capacity(const DeliveryOptions& delivery, const SourceFormat& format) {
  const std::size_t fallback =
      format.frame_bytes == 0 ? 0 : delivery.fallback_budget_bytes / format.frame_bytes;
  return delivery.pool_frames + std::min<std::size_t>(fallback, 4096);
}

/// The flags of the series, not of the camera: the open camera runs a series whatever they are
/// (the frame count is given to each start, StartOptions). `CameraSettings::given` records them
/// beside the camera's.
constexpr std::array<std::string_view, 13> kSeriesFlags{"--frames",
                                                        "--duration",
                                                        "--compression",
                                                        "--out",
                                                        "--summary-json",
                                                        "--overwrite",
                                                        "--no-check",
                                                        "--require-check",
                                                        "--fail-on-loss",
                                                        "--stream",
                                                        "--stream-compression",
                                                        "--stream-hwm",
                                                        "--stream-start-timeout"};

/// Whether a series with camera settings `next` can run on the camera opened with `open`.
bool same_camera(CameraSettings open, CameraSettings next) {
  open.frames = next.frames = 0;
  for (const std::string_view flag : kSeriesFlags) {
    open.given.erase(std::string(flag));
    next.given.erase(std::string(flag));
  }
  return open == next;
}

#if DAQ_HAVE_STREAM
/// The name of the stream's sharing tap (beside a writer).
constexpr std::string_view kStreamTap = "stream";

/// "2026-01-17T09:30:12.345Z": now, RFC 3339 in UTC.
std::string rfc3339_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(ms.count()));
  return text;
}

/// The stream as the only output, counted as the file would be: its sent images are the frames
/// written, with their pixel bytes and their first and last timestamps (the summary's rates).
storage::WriterCounters stream_as_written(const StreamOutput& stream, const SourceFormat& format) {
  const StreamCounts sent = stream.counts();
  storage::WriterCounters written;
  written.frames_written = sent.sent;
  written.bytes_written = sent.sent * format.frame_bytes;
  written.first_timestamp_ns = sent.first_timestamp_ns;
  written.last_timestamp_ns = sent.last_timestamp_ns;
  return written;
}

/// What the start message tells the consumers about the series.
stream::SeriesStart series_start(std::uint64_t series_id, const SourceFormat& format,
                                 const CameraSettings& camera, const CameraSetup& setup,
                                 const std::string& camera_name) {
  stream::SeriesStart s;
  s.series_id = series_id;
  s.arm_date = rfc3339_now();
  s.series_unique_id = camera_name + "-" + s.arm_date + "-" + std::to_string(series_id);
  s.width = format.width;
  s.height = format.height;
  s.bit_depth = format.bit_depth;
  s.number_of_images = camera.frames;
  s.count_time = camera.exposure_ms / 1000.0;
  s.frame_time = format.frames_per_second > 0 ? 1.0 / format.frames_per_second : 0.0;
  s.detector_description = setup.model + " " + camera_name;
  return s;
}

/// The stream tap's counters (beside a writer); zeros without one.
TapStats stream_tap_stats(const StreamingProducer& producer) {
  for (TapStats& tap : producer.stats().taps) {
    if (tap.name == kStreamTap) return std::move(tap);
  }
  return {};
}
#endif

}  // namespace

/// The open camera: its producer owns the source and the pool.
struct Instrument::Camera {
  CameraSettings settings;
  std::size_t requested_pool_frames = 0;  // --pool-frames when opened (the plan may not use it)
  PoolPlan pool;                          // mapped as delivery.pool_frames and headroom_bytes
  CameraSetup setup;                      // setup.source moved into the producer
  std::string name;
  DeliveryOptions delivery;
  std::unique_ptr<StreamingProducer> producer;
  SourceFormat format;
};

/// One series: prepared by prepare(), run by run().
struct Instrument::Series {
  Settings settings;
  std::unique_ptr<storage::FrameWriter> writer;  // null when the stream is the only output
#if DAQ_HAVE_STREAM
  std::unique_ptr<StreamOutput> stream;  // with --stream: bound in prepare()
  ObserverHandle stream_tap;             // beside a writer: the stream's channel tap
#endif
  bool opened = false;
  // Running parts, under Instrument::mutex_ while they change.
  std::optional<storage::WriterThread> writer_thread;
  const detail::AllocationProbe* probe = nullptr;
  ObserverHandle probe_handle;
  std::uint64_t lent_before = 0;
  Clock::time_point started;
  SeriesState state = SeriesState::idle;
};

std::string_view to_string(SeriesState state) noexcept {
  switch (state) {
    case SeriesState::idle:
      return "IDLE";
    case SeriesState::acquiring:
      return "ACQUIRING";
    case SeriesState::saving:
      return "SAVING";
    case SeriesState::error:
      return "ERROR";
  }
  return "?";
}

Instrument::Instrument(InstrumentOptions options) : options_(options) {}

Instrument::~Instrument() = default;

void Instrument::prepare(const Settings& settings) {
  auto series = std::make_unique<Series>();
  series->settings = settings;
  if (settings.writes_file()) {
    series->writer = make_output_writer(settings);
  }
  if (settings.stream.enabled()) {
#if DAQ_HAVE_STREAM
    series->stream = std::make_unique<StreamOutput>(settings.stream, series->writer == nullptr,
                                                    options_.thread_allocations);
#else
    throw ConfigError("--stream: this build has no Stream V2 support (libzmq was not found)");
#endif
  }
  const StreamPoolNeeds stream_needs = stream_pool_needs(settings);
  const bool reuse = camera_ != nullptr && same_camera(camera_->settings, settings.camera) &&
                     camera_->requested_pool_frames == settings.pool_frames &&
                     camera_->pool.stream == stream_needs;
  if (!reuse) {
    {
      const std::lock_guard lock(mutex_);
      camera_.reset();  // the old camera and its pool go first: one camera is open at a time
    }
    auto camera = std::make_unique<Camera>();
    camera->settings = settings.camera;
    camera->requested_pool_frames = settings.pool_frames;
    camera->setup = make_camera(settings.camera);
    camera->name = camera->setup.source->name();
    camera->pool = pool_plan(settings, camera->setup.pool_frames, options_.tap_frames_held);
    const PoolPlan& pool = camera->pool;
    camera->delivery.pool_frames = pool.frames();
    camera->delivery.headroom_bytes = pool.headroom_bytes();
    camera->producer =
        std::make_unique<StreamingProducer>(std::move(camera->setup.source), camera->delivery);
    try {
      camera->format = camera->producer->format();
    } catch (const PoolTooLarge& e) {
      throw ConfigError(pool_refusal(pool, e.limit()));  // in the user's flags, not the pool's
    } catch (const ConfigError& e) {
      throw ConfigError(with_flag_names(e.what()));
    }
    camera_openings_.fetch_add(1, std::memory_order_relaxed);
    const std::lock_guard lock(mutex_);
    camera_ = std::move(camera);
  }
  stop_.store(false, std::memory_order_relaxed);
  abort_.store(false, std::memory_order_relaxed);
  const std::lock_guard lock(mutex_);
  series_ = std::move(series);
}

const std::string& Instrument::camera_name() const {
  static const std::string none;
  return camera_ ? camera_->name : none;
}

void Instrument::open() {
  if (!series_) throw std::logic_error("Instrument::open() without prepare()");
  if (series_->opened) return;
  if (series_->writer)
    open_output(*series_->writer, stream_info(camera_->format, camera_->setup, camera_->name));
  series_->opened = true;
}

Summary Instrument::run(const std::function<void(const Status&)>& on_tick) {
  open();
  Series& series = *series_;
  Camera& camera = *camera_;
  StreamingProducer& producer = *camera.producer;
  const Settings& settings = series.settings;
  if (settings.camera.frames == 0 && settings.duration_s <= 0) {
    log(LogLevel::info, "no --frames or --duration: acquiring until stopped");
  }

  // The stream as the only output: a channel of the camera's frames alone, without the stream's
  // own and the sharing taps' (pool_plan), so that it fills before the pool runs out.
  const std::size_t capacity =
      series.writer ? channel_capacity(camera.delivery, camera.format) : camera.pool.camera_frames;
  auto [primary, frames] = make_channel<LoanedFrame>(capacity);
  producer.register_primary_output(std::move(primary));
  if (options_.thread_allocations != nullptr) {
    auto probe = std::make_unique<detail::AllocationProbe>(options_.thread_allocations,
                                                           camera.delivery.pool_frames + 2);
    series.probe = probe.get();
    series.probe_handle = producer.register_observer(std::move(probe));
  }
  series.lent_before = camera.setup.frames_lent ? camera.setup.frames_lent() : 0;
  {
    const std::lock_guard lock(mutex_);
    if (series.writer) series.writer_thread.emplace(*series.writer, std::move(frames));
    series.started = Clock::now();
    series.state = SeriesState::acquiring;
  }
  const auto elapsed = [&] {
    return std::chrono::duration<double>(Clock::now() - series.started).count();
  };
  try {
#if DAQ_HAVE_STREAM
    if (series.stream) {
      const stream::SeriesStart start =
          series_start(++series_count_, camera.format, settings.camera, camera.setup, camera.name);
      if (series.writer) {
        // Beside a writer: shares of the writer's frames, at most hwm held (no copy).
        SharingTap tap =
            producer.add_sharing_tap(std::string(kStreamTap), {.frames_held = settings.stream.hwm});
        series.stream_tap = tap.handle;
        series.stream->start(start, std::move(tap.frames));
      } else {
        series.stream->start(start, std::move(frames));  // the primary without a writer
      }
    }
#endif
    naming_flags([&] { producer.start_stream({.frame_count = settings.camera.frames}); });
  } catch (const std::exception& e) {
    {
      const std::lock_guard lock(mutex_);
      series.writer_thread.reset();  // closes the channel and joins
      series.state = SeriesState::idle;  // it never ran: status() reports the error below
      last_status_ = Status{};
      last_status_.state = SeriesState::error;
      last_status_.current_file = settings.out;
      last_status_.last_error = e.what();
    }
    end_stream();
    if (series.writer) {
      series.writer->close();
      std::error_code ec;
      std::filesystem::remove(series.writer->path(), ec);  // nothing half-written
    }
    throw;
  }
  constexpr std::chrono::duration<double> kTick = std::chrono::milliseconds(200);
  for (;;) {
    if (on_tick) on_tick(status());  // may call stop()
    if (!producer.is_streaming() || stop_.load() || abort_.load() ||
        (series.writer_thread && series.writer_thread->failed())) {
      break;
    }
    std::chrono::duration<double> wait = kTick;
    if (settings.duration_s > 0) {
      const double left = settings.duration_s - elapsed();
      if (left <= 0) break;
      wait = std::min(wait, std::chrono::duration<double>(left));
    }
    producer.wait_until_stopped(std::chrono::duration_cast<std::chrono::nanoseconds>(wait));
  }
  producer.stop_stream();  // the producer drops its Sender: the writer drains and ends
  const bool aborted = abort_.load();
  {
    const std::lock_guard lock(mutex_);
    series.state = SeriesState::saving;
  }
  if (aborted) {
    const std::lock_guard lock(mutex_);
    last_status_ = live_status_locked();
    series.writer_thread.reset();  // closes the channel: queued frames are discarded
  } else if (series.writer_thread) {
    series.writer_thread->join();
  }
  const std::optional<StreamSummary> stream_summary = end_stream();
  const double wall_time_s = elapsed();

  std::string error = series.writer_thread ? series.writer_thread->error() : std::string();
  {
    const std::lock_guard lock(mutex_);
    last_status_ = live_status_locked();
    last_status_.elapsed_s = wall_time_s;
  }
  try {
    if (series.writer) series.writer->finish(file_summary(producer.ledger()));
  } catch (const std::exception& e) {
    if (error.empty()) error = e.what();
  }
  storage::WriterCounters written =
      series.writer ? series.writer->counters() : storage::WriterCounters{};
  const LedgerSnapshot ledger = producer.ledger();
  const ProducerStats stats = producer.stats();
  Summary s;
  s.output = settings.out;
  s.camera = camera.name;
  s.frames_produced = ledger.produced;
  s.frames_dropped = ledger.dropped;
  for (std::size_t i = 0; i < kDropCauseCount; ++i) {
    if (ledger.dropped_by_cause[i] != 0) {
      s.dropped_by_cause[std::string(daq::to_string(static_cast<DropCause>(i)))] =
          ledger.dropped_by_cause[i];
    }
  }
  s.stream = stream_summary;
  // The stream as the only output: its sent images are the frames "written", and the frames
  // delivered to it that it could not send are drops (cause stream_dropped).
#if DAQ_HAVE_STREAM
  if (!series.writer && series.stream) written = stream_as_written(*series.stream, camera.format);
#endif
  s.frames_written = written.frames_written;
  // Frames the output took but did not store (an abort, a write error, a stream drop).
  if (ledger.delivered > written.frames_written) {
    s.dropped_by_cause[!series.writer ? "stream_dropped"
                       : aborted      ? "aborted"
                                 : "writer_failed"] = ledger.delivered - written.frames_written;
    s.frames_dropped += ledger.delivered - written.frames_written;
  }
  s.missing_frames = missing_frames(ledger.produced, ledger.dropped_ranges, written.frames_written);
  s.lost_hw_frames = ledger.lost_hw_frames;
  s.lost_hw_ranges = ledger.lost_hw_ranges;
  s.fallback_allocations = stats.fallback_allocations;
  if (series.probe != nullptr) s.hot_path_allocations_per_frame = series.probe->per_frame();
  s.pool_high_water = stats.pool.high_water;
  s.pool_capacity = stats.pool.capacity;
  s.bytes_written = written.bytes_written;
  s.bytes_stored = written.bytes_stored;
  s.frames_direct = written.frames_direct;
  s.wall_time_s = wall_time_s;
  if (written.frames_written >= 2 && written.last_timestamp_ns > written.first_timestamp_ns) {
    s.first_to_last_frame_s =
        static_cast<double>(written.last_timestamp_ns - written.first_timestamp_ns) / 1e9;
  }
  if (stats.stop_reason == StopReason::source_failed) {
    s.error = "camera failed: " + stats.stop_message;
  }
  if (camera.setup.frames_lent) s.frames_lent = camera.setup.frames_lent() - series.lent_before;
  if (!error.empty()) s.error = error;  // the writer's error first: it stopped the run
  s.interrupted = stop_.load() || aborted;
  if (series.probe != nullptr) producer.unregister_observer(series.probe_handle);

  std::unique_ptr<Series> done;
  {
    const std::lock_guard lock(mutex_);
    last_status_.state = s.error.empty() ? SeriesState::idle : SeriesState::error;
    last_status_.last_error = s.error;
    done = std::move(series_);
  }
  // Outside the lock: a stream's sender waits (up to its linger) for ZeroMQ to let go of its
  // last messages, and status() must not wait with it. Once it is gone the pool is whole.
  done.reset();
  return s;
}

#if DAQ_HAVE_STREAM
std::optional<StreamSummary> Instrument::end_stream() {
  Series& series = *series_;
  if (!series.stream) return std::nullopt;
  StreamingProducer& producer = *camera_->producer;
  StreamSummary summary;
  summary.primary = series.writer == nullptr;
  std::uint64_t tap_dropped = 0;
  if (series.writer) {
    // The delivery thread has stopped: the tap's counts are final. Unregistering closes the
    // tap's channel, so the sender thread drains it and ends.
    const TapStats tap = stream_tap_stats(producer);
    tap_dropped = tap.dropped + tap.errors;
    producer.unregister_observer(series.stream_tap);
  }
  series.stream->close_input();  // a failed start: the producer may still hold the sender
  summary.end_taken = series.stream->finish();
  const StreamCounts counts = series.stream->counts();
  summary.endpoint = series.stream->endpoint();
  summary.compression = series.settings.stream.compression;
  summary.sent = counts.sent;
  summary.dropped = counts.dropped + tap_dropped;
  summary.bytes = counts.bytes;
  summary.start_taken = series.stream->start_taken();
  summary.sender_allocations_per_frame = series.stream->allocations_per_frame();
  return summary;
}
#else
std::optional<StreamSummary> Instrument::end_stream() {
  return std::nullopt;
}
#endif

SharingTap Instrument::add_sharing_tap(std::string name, SharingTapOptions options) {
  if (!camera_) throw std::logic_error("Instrument::add_sharing_tap() before prepare()");
  if (options.frames_held > options_.tap_frames_held) {
    throw std::invalid_argument("Instrument::add_sharing_tap: frames_held exceeds tap_frames_held");
  }
  return camera_->producer->add_sharing_tap(std::move(name), options);
}

ObserverHandle Instrument::register_observer(std::unique_ptr<FrameObserver> observer,
                                             ObserverOptions options) {
  if (!camera_) throw std::logic_error("Instrument::register_observer() before prepare()");
  return camera_->producer->register_observer(std::move(observer), options);
}

SourceFormat Instrument::format() const {
  return camera_ ? camera_->format : SourceFormat{};
}

const std::string& Instrument::camera_model() const {
  static const std::string none;
  return camera_ ? camera_->setup.model : none;
}

void Instrument::stop() noexcept {
  stop_.store(true);
}

void Instrument::abort() noexcept {
  abort_.store(true);
}

std::uint64_t Instrument::camera_openings() const noexcept {
  return camera_openings_.load(std::memory_order_relaxed);
}

Status Instrument::status() const {
  const std::lock_guard lock(mutex_);
  if (series_ && series_->state != SeriesState::idle) return live_status_locked();
  Status s = last_status_;
  if (camera_) {
    // The pool is the open camera's and outlives the series: frames a consumer still held when
    // the series ended (a zero-copy message ZeroMQ had not yet written) come back after it.
    const auto pool = camera_->producer->stats().pool;
    s.pool_in_use = pool.in_use;
    s.pool_high_water = pool.high_water;
    s.pool_capacity = pool.capacity;
  }
  return s;
}

std::optional<MetricsSnapshot> Instrument::metrics() const {
  const std::lock_guard lock(mutex_);
  if (!camera_) return std::nullopt;
  return camera_->producer->stats();
}

Status Instrument::live_status_locked() const {
  const Series& series = *series_;
  // The writer's progress first: every frame it wrote was produced before, so a status never
  // shows more frames written than produced (the counters are relaxed; x86 keeps the two loads
  // and the causal order of the stores).
  std::optional<storage::WriterProgress> progress;
  if (series.writer_thread) progress = series.writer_thread->progress();
  const ProducerStats stats = camera_->producer->stats();
  Status s;
  s.state = series.state;
  s.frames_produced = stats.frames.produced;
  s.frames_dropped = stats.frames.dropped;
  s.lost_hw_frames = stats.frames.lost_hw_frames;
  s.frames_total = series.settings.camera.frames;
  s.pool_in_use = stats.pool.in_use;
  s.pool_high_water = stats.pool.high_water;
  s.pool_capacity = stats.pool.capacity;
  s.fallback_allocations = stats.fallback_allocations;
  s.elapsed_s = std::chrono::duration<double>(Clock::now() - series.started).count();
  s.duration_limit_s = series.settings.duration_s;
  s.current_file = series.settings.out;
  if (progress) {
    s.frames_written = progress->frames_written;
    s.bytes_written = progress->bytes_written;
  }
#if DAQ_HAVE_STREAM
  if (series.stream) {
    const StreamCounts counts = series.stream->counts();
    s.streaming = true;
    s.stream_sent = counts.sent;
    s.stream_dropped = counts.dropped;
    if (series.writer) {
      const TapStats tap = stream_tap_stats(*camera_->producer);
      s.stream_dropped += tap.dropped + tap.errors;
    } else {
      const storage::WriterCounters written = stream_as_written(*series.stream, camera_->format);
      s.frames_written = written.frames_written;
      s.bytes_written = written.bytes_written;
    }
  }
#endif
  if (s.elapsed_s > 0) {
    s.frames_per_s = static_cast<double>(s.frames_written) / s.elapsed_s;
    s.mb_per_s = static_cast<double>(s.bytes_written) / 1e6 / s.elapsed_s;
  }
  return s;
}

}  // namespace daq::acquisition
