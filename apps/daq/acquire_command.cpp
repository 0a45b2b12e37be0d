// `daq acquire`: camera → pooled frames → file writer (primary) + an allocation probe, with a
// live progress line, a summary, and every frame accounted for.
//
// Order: everything that can reject the input (flags, config file, output paths, camera
// configuration) is checked before the output file is created; then the file is opened, the
// writer thread started, the stream started. The run ends when the camera finished, --duration
// passed, Ctrl-C (SIGINT/SIGTERM) came, or the writer failed; in every case the stream is
// stopped, the writer drains and finishes the file, and the summary is printed.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include "acquire_options.hpp"
#include "acquire_output.hpp"
#include "allocation_probe.hpp"
#include "camera_factory.hpp"
#include "command.hpp"
#include "daq/pipeline/delivery.hpp"
#include "daq/pool/log.hpp"
#include "daq/storage/writer_thread.hpp"
#include "exit_codes.hpp"
#include "flag_names.hpp"
#include "progress.hpp"
#include "run_summary.hpp"
#include "stop_signal.hpp"

namespace daq::cli {
namespace {

using Clock = std::chrono::steady_clock;

/// Runs `f`, turning the libraries' configuration errors into usage errors naming the flags.
template <class F>
auto as_usage_error(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {  // ConfigError is one
    throw UsageError(with_flag_names(e.what()));
  }
}

/// Frames the primary channel can hold: every pooled frame plus the heap-fallback frames
/// the budget allows, so that a fallback frame is not dropped as channel_full.
std::size_t channel_capacity(const DeliveryOptions& delivery, const SourceFormat& format) {
  const std::size_t fallback =
      format.frame_bytes == 0 ? 0 : delivery.fallback_budget_bytes / format.frame_bytes;
  return delivery.pool_frames + std::min<std::size_t>(fallback, 4096);
}

ProgressSample progress_sample(const FrameProducer& producer, const storage::WriterThread& writer,
                               const AcquireOptions& o, double elapsed_s) {
  const ProducerStats stats = producer.stats();
  const storage::WriterProgress written = writer.progress();
  ProgressSample sample;
  sample.frames_written = written.frames_written;
  sample.frames_total = o.camera.frames;
  sample.bytes_written = written.bytes_written;
  sample.dropped = stats.frames.dropped;
  sample.lost_hw = stats.frames.lost_hw_frames;
  sample.pool_in_use = stats.pool.in_use;
  sample.pool_high_water = stats.pool.high_water;
  sample.pool_capacity = stats.pool.capacity;
  sample.elapsed_s = elapsed_s;
  sample.duration_limit_s = o.duration_s;
  return sample;
}

/// The summary of a finished run; `written`: the writer's counters after finish().
RunSummary make_summary(const FrameProducer& producer, const storage::WriterCounters& written,
                        const AllocationProbe& probe, double duration_s) {
  const LedgerSnapshot ledger = producer.ledger();
  const ProducerStats stats = producer.stats();
  RunSummary s;
  s.frames_produced = ledger.produced;
  s.frames_written = written.frames_written;
  s.frames_dropped = ledger.dropped;
  for (std::size_t i = 0; i < kDropCauseCount; ++i) {
    if (ledger.dropped_by_cause[i] != 0) {
      s.dropped_by_cause[std::string(to_string(static_cast<DropCause>(i)))] =
          ledger.dropped_by_cause[i];
    }
  }
  // Frames the writer took but could not store (after a write error) are drops too.
  if (ledger.delivered > written.frames_written) {
    s.dropped_by_cause["writer_failed"] = ledger.delivered - written.frames_written;
    s.frames_dropped += ledger.delivered - written.frames_written;
  }
  s.missing_frames = missing_frames(ledger.produced, ledger.dropped_ranges, written.frames_written);
  s.lost_hw_frames = ledger.lost_hw_frames;
  s.lost_hw_ranges = ledger.lost_hw_ranges;
  s.fallback_allocations = stats.fallback_allocations;
  s.hot_path_allocations_per_frame = probe.per_frame();
  s.pool_high_water = stats.pool.high_water;
  s.pool_capacity = stats.pool.capacity;
  s.bytes_written = written.bytes_written;
  s.bytes_stored = written.bytes_stored;
  s.frames_direct = written.frames_direct;
  s.duration_s = duration_s;
  if (duration_s > 0) {
    s.fps = static_cast<double>(written.frames_written) / duration_s;
    s.mb_per_s = static_cast<double>(written.bytes_written) / 1e6 / duration_s;
  }
  if (stats.stop_reason == StopReason::source_failed) {
    s.error = "camera failed: " + stats.stop_message;
  }
  return s;
}

/// Writes the JSON summary; false (logged) when it cannot.
bool write_summary_json(const std::string& path, const RunSummary& summary) {
  std::ofstream json(path, std::ios::trunc);
  json << summary_json(summary);
  json.close();
  if (!json) log(LogLevel::error, "--summary-json: cannot write %s", path.c_str());
  return static_cast<bool>(json);
}

int run_acquire(const AcquireOptions& o) {
  StopSignal stop_signal;  // first: from here on Ctrl-C ends the run cleanly
  const std::unique_ptr<storage::FrameWriter> writer = make_output_writer(o);
  CameraSetup camera = as_usage_error([&] { return make_camera(o.camera); });
  const std::string camera_name(camera.source->name());  // e.g. "pvcam:PMSimCam0"
  DeliveryOptions delivery;
  const bool driver_plan = camera.pool_frames != 0 && !o.camera.was_given("--pool-frames");
  delivery.pool_frames = driver_plan ? camera.pool_frames : o.pool_frames;
  StreamingProducer producer(std::move(camera.source), delivery);
  const SourceFormat format = as_usage_error([&] { return producer.format(); });
  if (stop_signal.requested()) {
    std::fprintf(stderr, "daq acquire: interrupted before %s was created\n", o.out.c_str());
    return kExitInterrupted;
  }
  if (o.camera.frames == 0 && o.duration_s <= 0) {
    log(LogLevel::info, "no --frames or --duration: acquiring until Ctrl-C");
  }

  open_output(*writer, stream_info(format, camera, camera_name));
  auto [primary, frames] = make_channel<LoanedFrame>(channel_capacity(delivery, format));
  producer.register_primary_output(std::move(primary));
  auto probe = std::make_unique<AllocationProbe>(delivery.pool_frames + 2);
  const AllocationProbe& probe_ref = *probe;
  producer.register_observer(std::move(probe));

  ProgressDisplay progress(stderr, ::isatty(::fileno(stderr)) != 0);
  std::optional<storage::WriterThread> writer_thread;
  writer_thread.emplace(*writer, std::move(frames));
  const auto started = Clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(Clock::now() - started).count();
  };
  try {
    as_usage_error([&] { producer.start_stream(); });
  } catch (...) {
    writer_thread.reset();  // closes the channel and joins
    writer->close();
    std::error_code ec;
    std::filesystem::remove(writer->path(), ec);  // nothing half-written
    throw;
  }
  constexpr std::chrono::duration<double> kTick = std::chrono::milliseconds(200);
  while (producer.is_streaming() && !stop_signal.requested() && !writer_thread->failed()) {
    std::chrono::duration<double> wait = kTick;
    if (o.duration_s > 0) {
      const double left = o.duration_s - elapsed();
      if (left <= 0) break;
      wait = std::min(wait, std::chrono::duration<double>(left));
    }
    progress.update(progress_sample(producer, *writer_thread, o, elapsed()));
    producer.wait_until_stopped(std::chrono::duration_cast<std::chrono::nanoseconds>(wait));
  }
  producer.stop_stream();  // the producer drops its Sender: the writer drains and ends
  writer_thread->join();
  const double duration_s = elapsed();
  progress.update(progress_sample(producer, *writer_thread, o, duration_s));
  progress.finish();

  std::string error = writer_thread->error();
  try {
    writer->finish(file_summary(producer.ledger()));
  } catch (const std::exception& e) {
    if (error.empty()) error = e.what();
  }
  RunSummary summary = make_summary(producer, writer->counters(), probe_ref, duration_s);
  summary.output = o.out;
  summary.camera = camera_name;
  summary.interrupted = stop_signal.requested();
  if (!error.empty()) summary.error = error;  // the writer's error first: it stopped the run
  print_summary(std::cout, summary);
  std::cout.flush();
  const bool json_ok = o.summary_json.empty() || write_summary_json(o.summary_json, summary);
  if (!summary.error.empty()) {
    std::fprintf(stderr, "daq acquire: failed: %s\n", summary.error.c_str());
    return kExitFailure;
  }
  if (summary.interrupted) return kExitInterrupted;
  return json_ok ? kExitOk : kExitFailure;
}

}  // namespace

Command add_acquire_command(CLI::App& root) {
  auto options = std::make_shared<AcquireOptions>();
  CLI::App* app = root.add_subcommand("acquire", "Acquire frames from a camera into a file");
  add_acquire_options(*app, *options);
  return {app, [options, app] {
            finish_acquire_options(*app, *options);
            return run_acquire(*options);
          }};
}

}  // namespace daq::cli
