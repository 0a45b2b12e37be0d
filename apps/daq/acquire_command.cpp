// `daq acquire`: camera → pooled frames → file writer (primary) + an allocation probe, with a
// live progress line, a summary, and every frame accounted for.
//
// Order: everything that can reject the input (flags, config file, output paths, camera
// configuration) is checked before the output file is created; then the file is opened, the
// writer thread started, the stream started. Log lines of the checks (a camera describing
// itself) are held back until they pass, so bad input prints exactly one line. The stop signals
// are handled from before the config file is read. The run ends when the camera finished,
// --duration passed, a stop signal (SIGINT, SIGTERM, SIGHUP) came, or the writer failed; in
// every case the stream is stopped, the writer drains and finishes the file, the live line is
// finished, and the summary is printed.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
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
#include "spdlog_sink.hpp"
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

/// Runs the input checks `f` while `held` holds the log lines back: bad input drops them (its
/// error is the one line printed), any other failure prints them first, for context.
template <class F>
void check_input(HeldLogLines& held, F&& f) {
  try {
    f();
  } catch (const UsageError&) {
    throw;
  } catch (const std::invalid_argument&) {
    throw;
  } catch (...) {
    held.release();
    throw;
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
                        const AllocationProbe& probe, double wall_time_s) {
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
  s.wall_time_s = wall_time_s;
  if (written.frames_written >= 2 && written.last_timestamp_ns > written.first_timestamp_ns) {
    s.first_to_last_frame_s =
        static_cast<double>(written.last_timestamp_ns - written.first_timestamp_ns) / 1e9;
  }
  if (stats.stop_reason == StopReason::source_failed) {
    s.error = "camera failed: " + stats.stop_message;
  }
  return s;
}

int run_acquire(const AcquireOptions& o, const StopSignal& stop_signal) {
  HeldLogLines held_logs;
  std::unique_ptr<storage::FrameWriter> writer;
  CameraSetup camera;
  std::string camera_name;  // e.g. "pvcam:PMSimCam0"
  DeliveryOptions delivery;
  std::unique_ptr<StreamingProducer> producer;
  SourceFormat format;
  check_input(held_logs, [&] {
    writer = make_output_writer(o);
    camera = as_usage_error([&] { return make_camera(o.camera); });
    camera_name = camera.source->name();
    const bool driver_plan = camera.pool_frames != 0 && !o.camera.was_given("--pool-frames");
    delivery.pool_frames = driver_plan ? camera.pool_frames : o.pool_frames;
    producer = std::make_unique<StreamingProducer>(std::move(camera.source), delivery);
    format = as_usage_error([&] { return producer->format(); });
  });
  if (stop_signal.requested()) {
    std::fprintf(stderr, "daq acquire: interrupted before %s was created\n", o.out.c_str());
    return kExitInterrupted;
  }
  check_input(held_logs, [&] { open_output(*writer, stream_info(format, camera, camera_name)); });
  held_logs.release();
  if (o.camera.frames == 0 && o.duration_s <= 0) {
    log(LogLevel::info, "no --frames or --duration: acquiring until Ctrl-C");
  }

  auto [primary, frames] = make_channel<LoanedFrame>(channel_capacity(delivery, format));
  producer->register_primary_output(std::move(primary));
  auto probe = std::make_unique<AllocationProbe>(delivery.pool_frames + 2);
  const AllocationProbe& probe_ref = *probe;
  producer->register_observer(std::move(probe));

  ProgressDisplay progress(stderr, ::isatty(::fileno(stderr)) != 0);
  std::optional<storage::WriterThread> writer_thread;
  writer_thread.emplace(*writer, std::move(frames));
  const auto started = Clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(Clock::now() - started).count();
  };
  try {
    as_usage_error([&] { producer->start_stream(); });
  } catch (...) {
    writer_thread.reset();  // closes the channel and joins
    writer->close();
    std::error_code ec;
    std::filesystem::remove(writer->path(), ec);  // nothing half-written
    throw;
  }
  constexpr std::chrono::duration<double> kTick = std::chrono::milliseconds(200);
  while (producer->is_streaming() && !stop_signal.requested() && !writer_thread->failed()) {
    std::chrono::duration<double> wait = kTick;
    if (o.duration_s > 0) {
      const double left = o.duration_s - elapsed();
      if (left <= 0) break;
      wait = std::min(wait, std::chrono::duration<double>(left));
    }
    progress.update(progress_sample(*producer, *writer_thread, o, elapsed()));
    producer->wait_until_stopped(std::chrono::duration_cast<std::chrono::nanoseconds>(wait));
  }
  producer->stop_stream();  // the producer drops its Sender: the writer drains and ends
  writer_thread->join();
  const double wall_time_s = elapsed();
  progress.finish(progress_sample(*producer, *writer_thread, o, wall_time_s));

  std::string error = writer_thread->error();
  try {
    writer->finish(file_summary(producer->ledger()));
  } catch (const std::exception& e) {
    if (error.empty()) error = e.what();
  }
  RunSummary summary = make_summary(*producer, writer->counters(), probe_ref, wall_time_s);
  summary.output = o.out;
  summary.camera = camera_name;
  summary.interrupted = stop_signal.requested();
  if (camera.frames_lent) summary.frames_lent = camera.frames_lent();
  if (!error.empty()) summary.error = error;  // the writer's error first: it stopped the run
  print_summary(std::cout, summary);
  std::cout.flush();
  const std::string json_error =
      o.summary_json.empty() ? std::string()
                             : write_summary_file(o.summary_json, summary_json(summary), o.out);
  if (!json_error.empty()) std::fprintf(stderr, "daq acquire: failed: %s\n", json_error.c_str());
  if (!summary.error.empty()) {
    std::fprintf(stderr, "daq acquire: failed: %s\n", summary.error.c_str());
    return kExitFailure;
  }
  if (!json_error.empty()) return kExitFailure;
  return summary.interrupted ? kExitInterrupted : kExitOk;
}

}  // namespace

Command add_acquire_command(CLI::App& root) {
  auto options = std::make_shared<AcquireOptions>();
  CLI::App* app = root.add_subcommand("acquire", "Acquire frames from a camera into a file");
  add_acquire_options(*app, *options);
  return {app, [options, app] {
            // From here on a stop signal ends the command cleanly, also while --config is read.
            const StopSignal stop_signal;
            finish_acquire_options(*app, *options, [&] { return stop_signal.requested(); });
            return run_acquire(*options, stop_signal);
          }};
}

}  // namespace daq::cli
