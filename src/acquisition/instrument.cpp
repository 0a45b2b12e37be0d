#include "daq/acquisition/instrument.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <utility>

#include "daq/acquisition/camera_factory.hpp"
#include "daq/acquisition/detail/allocation_probe.hpp"
#include "daq/acquisition/flag_names.hpp"
#include "daq/acquisition/output.hpp"
#include "daq/pipeline/delivery.hpp"
#include "daq/pool/log.hpp"
#include "daq/storage/writer_thread.hpp"

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

}  // namespace

/// The open camera: its producer owns the source and the pool.
struct Instrument::Camera {
  CameraSettings settings;
  std::size_t requested_pool_frames = 0;
  CameraSetup setup;  // setup.source moved into the producer
  std::string name;
  DeliveryOptions delivery;
  std::unique_ptr<StreamingProducer> producer;
  SourceFormat format;
};

/// One series: prepared by prepare(), run by run().
struct Instrument::Series {
  Settings settings;
  std::unique_ptr<storage::FrameWriter> writer;
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
  series->writer = make_output_writer(settings);
  const bool reuse = camera_ != nullptr && camera_->settings == settings.camera &&
                     camera_->requested_pool_frames == settings.pool_frames;
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
    const bool driver_plan =
        camera->setup.pool_frames != 0 && !settings.camera.was_given("--pool-frames");
    camera->delivery.pool_frames = driver_plan ? camera->setup.pool_frames : settings.pool_frames;
    camera->producer =
        std::make_unique<StreamingProducer>(std::move(camera->setup.source), camera->delivery);
    camera->format = naming_flags([&] { return camera->producer->format(); });
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

  auto [primary, frames] =
      make_channel<LoanedFrame>(channel_capacity(camera.delivery, camera.format));
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
    series.writer_thread.emplace(*series.writer, std::move(frames));
    series.started = Clock::now();
    series.state = SeriesState::acquiring;
  }
  const auto elapsed = [&] {
    return std::chrono::duration<double>(Clock::now() - series.started).count();
  };
  try {
    naming_flags([&] { producer.start_stream(); });
  } catch (const std::exception& e) {
    {
      const std::lock_guard lock(mutex_);
      series.writer_thread.reset();  // closes the channel and joins
      last_status_ = Status{};
      last_status_.state = SeriesState::error;
      last_status_.current_file = settings.out;
      last_status_.last_error = e.what();
    }
    series.writer->close();
    std::error_code ec;
    std::filesystem::remove(series.writer->path(), ec);  // nothing half-written
    throw;
  }
  constexpr std::chrono::duration<double> kTick = std::chrono::milliseconds(200);
  for (;;) {
    if (on_tick) on_tick(status());  // may call stop()
    if (!producer.is_streaming() || stop_.load() || abort_.load() ||
        series.writer_thread->failed()) {
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
  } else {
    series.writer_thread->join();
  }
  const double wall_time_s = elapsed();

  std::string error = series.writer_thread ? series.writer_thread->error() : std::string();
  {
    const std::lock_guard lock(mutex_);
    last_status_ = live_status_locked();
    last_status_.elapsed_s = wall_time_s;
  }
  try {
    series.writer->finish(file_summary(producer.ledger()));
  } catch (const std::exception& e) {
    if (error.empty()) error = e.what();
  }
  const storage::WriterCounters written = series.writer->counters();
  const LedgerSnapshot ledger = producer.ledger();
  const ProducerStats stats = producer.stats();
  Summary s;
  s.output = settings.out;
  s.camera = camera.name;
  s.frames_produced = ledger.produced;
  s.frames_written = written.frames_written;
  s.frames_dropped = ledger.dropped;
  for (std::size_t i = 0; i < kDropCauseCount; ++i) {
    if (ledger.dropped_by_cause[i] != 0) {
      s.dropped_by_cause[std::string(daq::to_string(static_cast<DropCause>(i)))] =
          ledger.dropped_by_cause[i];
    }
  }
  // Frames the writer took but did not store (an abort, or a write error) are drops too.
  if (ledger.delivered > written.frames_written) {
    s.dropped_by_cause[aborted ? "aborted" : "writer_failed"] =
        ledger.delivered - written.frames_written;
    s.frames_dropped += ledger.delivered - written.frames_written;
  }
  s.missing_frames = missing_frames(ledger.produced, ledger.dropped_ranges, written.frames_written);
  s.lost_hw_frames = ledger.lost_hw_frames;
  s.lost_hw_ranges = ledger.lost_hw_ranges;
  s.fallback_allocations = stats.fallback_allocations;
  s.hot_path_allocations_per_frame = series.probe ? series.probe->per_frame() : 0.0;
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

  {
    const std::lock_guard lock(mutex_);
    last_status_.state = s.error.empty() ? SeriesState::idle : SeriesState::error;
    last_status_.last_error = s.error;
    series_.reset();
  }
  return s;
}

ObserverHandle Instrument::register_observer(std::unique_ptr<FrameObserver> observer,
                                             ObserverOptions options) {
  if (!camera_) throw std::logic_error("Instrument::register_observer() before prepare()");
  return camera_->producer->register_observer(std::move(observer), options);
}

SourceFormat Instrument::format() const { return camera_ ? camera_->format : SourceFormat{}; }

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
  if (series_ && series_->writer_thread) return live_status_locked();
  return last_status_;
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
  if (s.elapsed_s > 0) {
    s.frames_per_s = static_cast<double>(s.frames_written) / s.elapsed_s;
    s.mb_per_s = static_cast<double>(s.bytes_written) / 1e6 / s.elapsed_s;
  }
  return s;
}

}  // namespace daq::acquisition
