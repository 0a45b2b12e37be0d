// `daq acquire`: camera → pooled frames → file writer (primary) + statistics observers, with a
// live progress line, a summary, and every frame accounted for.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "allocation_probe.hpp"
#include "camera_factory.hpp"
#include "command.hpp"
#include "daq/delivery.hpp"
#include "daq/log.hpp"
#include "daq/storage/writer_factory.hpp"
#include "daq/storage/writer_thread.hpp"
#include "exit_codes.hpp"
#include "progress.hpp"
#include "run_summary.hpp"
#include "stop_signal.hpp"

namespace daq::cli {
namespace {

struct AcquireOptions {
  CameraOptions camera;
  double duration_s = 0.0;
  std::size_t pool_frames = 16;
  std::string compression = "none";
  std::string out;
  std::string summary_json;
  bool overwrite = false;
};

void check_writable_parent(const std::filesystem::path& path, const char* option) {
  const std::filesystem::path parent =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::is_directory(parent, ec)) {
    throw UsageError(std::string(option) + ": directory " + parent.string() + " does not exist");
  }
  if (::access(parent.c_str(), W_OK) != 0) {
    throw UsageError(std::string(option) + ": directory " + parent.string() + " is not writable");
  }
}

storage::WriterConfig writer_config(const AcquireOptions& o) {
  storage::WriterConfig config;
  config.path = o.out;
  config.overwrite = o.overwrite;
  try {
    config.compression = storage::parse_compression(o.compression);
    (void)storage::format_from_path(config.path);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  std::error_code ec;
  if (std::filesystem::exists(config.path, ec) && !o.overwrite) {
    throw UsageError("--out: " + o.out + " exists; pass --overwrite to replace it");
  }
  check_writable_parent(config.path, "--out");
  if (!o.summary_json.empty()) check_writable_parent(o.summary_json, "--summary-json");
  return config;
}

storage::StreamInfo stream_info(const SourceFormat& format, const std::string& camera) {
  storage::StreamInfo info;
  info.width = format.width;
  info.height = format.height;
  info.bit_depth = format.bit_depth;
  info.camera_name = camera;
  info.camera_model = camera.substr(0, camera.find(':'));
  info.frames_per_second = format.frames_per_second;
  return info;
}

storage::RunSummary file_summary(const LedgerSnapshot& ledger) {
  storage::RunSummary summary;
  summary.frames_produced = ledger.produced;
  summary.frames_dropped = ledger.dropped;
  for (const FrameRange& r : ledger.dropped_ranges) summary.dropped_frames.push_back({r.first, r.last});
  for (const FrameRange& r : ledger.lost_hw_ranges) summary.lost_hw_frames.push_back({r.first, r.last});
  return summary;
}

ProgressSample progress_sample(const StreamingProducer& producer,
                               const storage::WriterThread& writer, const AcquireOptions& o,
                               double elapsed_s) {
  const ProducerStats stats = producer.stats();
  const storage::WriterProgress written = writer.progress();
  ProgressSample sample;
  sample.frames_written = written.frames_written;
  sample.frames_total = o.camera.frames;
  sample.bytes_written = written.bytes_written;
  sample.dropped = stats.frames.dropped;
  sample.pool_in_use = stats.pool.in_use;
  sample.pool_high_water = stats.pool.high_water;
  sample.pool_capacity = stats.pool.capacity;
  sample.elapsed_s = elapsed_s;
  sample.duration_limit_s = o.duration_s;
  return sample;
}

int run_acquire(const AcquireOptions& o) {
  if (o.camera.frames == 0 && o.duration_s <= 0) {
    log(LogLevel::info, "no --frames or --duration: acquiring until Ctrl-C");
  }
  // Everything that can be rejected is checked before the output file is created.
  const storage::WriterConfig out_config = writer_config(o);
  DeliveryOptions delivery;
  delivery.pool_frames = o.pool_frames;
  StreamingProducer producer(make_source(o.camera), delivery);
  const SourceFormat format = producer.format();
  const std::string camera_name(o.camera.camera);

  auto writer = storage::make_writer(out_config);
  writer->open(stream_info(format, camera_name));
  auto [primary, frames] = make_channel<LoanedFrame>(o.pool_frames);
  producer.register_primary_output(std::move(primary));
  auto probe = std::make_unique<AllocationProbe>(o.pool_frames + 2);
  const AllocationProbe& probe_ref = *probe;
  producer.register_observer(std::move(probe));

  StopSignal stop_signal;
  ProgressDisplay progress(stderr, ::isatty(::fileno(stderr)) != 0);
  storage::WriterThread writer_thread(*writer, std::move(frames));
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  try {
    producer.start_stream();
  } catch (...) {
    writer_thread.join();
    writer->close();
    std::filesystem::remove(out_config.path);  // nothing half-written
    throw;
  }
  while (producer.is_streaming() && !stop_signal.requested() && !writer_thread.failed() &&
         (o.duration_s <= 0 || elapsed() < o.duration_s)) {
    progress.update(progress_sample(producer, writer_thread, o, elapsed()));
    producer.wait_until_stopped(std::chrono::milliseconds(200));
  }
  producer.stop_stream();  // the producer drops its Sender: the writer drains and ends
  writer_thread.join();
  const double duration_s = elapsed();
  progress.update(progress_sample(producer, writer_thread, o, duration_s));
  progress.finish();

  const LedgerSnapshot ledger = producer.ledger();
  const ProducerStats stats = producer.stats();
  RunSummary summary;
  summary.error = writer_thread.error();
  try {
    writer->finish(file_summary(ledger));
  } catch (const std::exception& e) {
    if (summary.error.empty()) summary.error = e.what();
  }
  if (stats.stop_reason == StopReason::source_failed && summary.error.empty()) {
    summary.error = "camera failed: " + stats.stop_message;
  }
  const storage::WriterProgress written = writer_thread.progress();
  summary.output = o.out;
  summary.camera = camera_name;
  summary.frames_produced = ledger.produced;
  summary.frames_written = written.frames_written;
  summary.frames_dropped = ledger.produced - written.frames_written;
  for (std::size_t i = 0; i < kDropCauseCount; ++i) {
    if (ledger.dropped_by_cause[i] != 0) {
      summary.dropped_by_cause[std::string(to_string(static_cast<DropCause>(i)))] =
          ledger.dropped_by_cause[i];
    }
  }
  if (ledger.delivered > written.frames_written) {
    summary.dropped_by_cause["writer_failed"] = ledger.delivered - written.frames_written;
  }
  summary.lost_hw_frames = ledger.lost_hw_frames;
  summary.fallback_allocations = stats.fallback_allocations;
  summary.hot_path_allocations_per_frame = probe_ref.per_frame();
  summary.pool_high_water = stats.pool.high_water;
  summary.pool_capacity = stats.pool.capacity;
  summary.bytes_written = written.bytes_written;
  summary.duration_s = duration_s;
  summary.fps = duration_s > 0 ? static_cast<double>(written.frames_written) / duration_s : 0.0;
  summary.mb_per_s = duration_s > 0 ? static_cast<double>(written.bytes_written) / 1e6 / duration_s : 0.0;
  summary.interrupted = stop_signal.requested();

  print_summary(std::cout, summary);
  if (!o.summary_json.empty()) {
    std::ofstream json(o.summary_json);
    json << summary_json(summary);
    if (!json) log(LogLevel::error, "cannot write %s", o.summary_json.c_str());
  }
  if (summary.interrupted) return kExitInterrupted;
  return summary.error.empty() ? kExitOk : kExitFailure;
}

}  // namespace

Command add_acquire_command(CLI::App& root) {
  auto options = std::make_shared<AcquireOptions>();
  CLI::App* app = root.add_subcommand("acquire", "Acquire frames from a camera into a file");
  app->set_config("--config", "", "TOML file with any of these options (flags win)");
  app->allow_config_extras(false);
  CameraOptions& c = options->camera;
  app->add_option("--camera", c.camera, "sim | pvcam[:NAME] | aravis[:ID]")->capture_default_str();
  CLI::Option* frames =
      app->add_option("--frames", c.frames,
                      "Frames to acquire (default 100, or none with --duration); 0 = until Ctrl-C");
  app->add_option("--duration", options->duration_s, "Stop after this many seconds (0 = no limit)")
      ->check(CLI::NonNegativeNumber);
  app->add_option("--width", c.width, "Sensor width, pixels")->capture_default_str();
  app->add_option("--height", c.height, "Sensor height, pixels")->capture_default_str();
  app->add_option("--bit-depth", c.bit_depth, "8, 12, 16 or 32")->capture_default_str();
  app->add_option("--pattern", c.pattern, "Simulated image: ramp | noise | realistic")
      ->capture_default_str();
  app->add_option("--fps", c.fps, "Frames per second; 0 = free-running")->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--exposure-ms", c.exposure_ms, "Exposure time, ms")->check(CLI::NonNegativeNumber);
  app->add_option("--roi", c.roi, "Region of interest x,y,width,height")->delimiter(',')
      ->expected(4);
  app->add_option("--binning", c.binning, "Binning NxM, e.g. 2x2");
  app->add_option("--seed", c.seed, "Seed of the noise patterns")->capture_default_str();
  app->add_option("--pool-frames", options->pool_frames, "Pre-allocated frames (1..4096)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{4096}));
  app->add_option("--compression", options->compression, "none | lz4 | blosc | bslz4 (HDF5)")
      ->capture_default_str();
  app->add_option("--out", options->out, "Output file: .h5 .hdf5 .nxs (HDF5) or .tif .tiff")
      ->required();
  app->add_option("--summary-json", options->summary_json, "Also write the summary as JSON here");
  app->add_flag("--overwrite", options->overwrite, "Replace an existing output file");
  return {app, [options, frames] {
            if (frames->count() == 0) options->camera.frames = options->duration_s > 0 ? 0 : 100;
            return run_acquire(*options);
          }};
}

}  // namespace daq::cli
