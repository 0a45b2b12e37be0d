#include "config_mapping.hpp"

#include <array>
#include <cctype>
#include <sstream>
#include <string_view>
#include <utility>

#include "daq/pipeline/frame_source.hpp"
#include "daq/service/service_error.hpp"

namespace daq::service {
namespace {

/// API field ↔ settings key (the flag without its dashes).
constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kFields = {{
    {"file", "out"},  // StartRequest
    {"frames", "frames"},
    {"duration_s", "duration"},
    {"fps", "fps"},
    {"exposure_ms", "exposure-ms"},
    {"width", "width"},
    {"height", "height"},
    {"roi", "roi"},
    {"binning", "binning"},
    {"bit_depth", "bit-depth"},
    {"pool_frames", "pool-frames"},
    {"compression", "compression"},
    {"pattern", "pattern"},
}};

/// Shortest text that reads back as the same double.
std::string number_text(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

void set_field(acquisition::Settings& settings, std::string_view key, const std::string& value) {
  try {
    acquisition::set(settings, key, value);
  } catch (const ConfigError& e) {
    throw config_refusal(e);
  }
}

v1::State state_message(acquisition::SeriesState state) {
  switch (state) {
    case acquisition::SeriesState::idle:
      return v1::IDLE;
    case acquisition::SeriesState::acquiring:
      return v1::ACQUIRING;
    case acquisition::SeriesState::saving:
      return v1::SAVING;
    case acquisition::SeriesState::error:
      return v1::ERROR;
  }
  return v1::STATE_UNSPECIFIED;
}

}  // namespace

std::string with_field_names(std::string message) {
  for (const auto& [field, key] : kFields) {
    const std::string flag = "--" + std::string(key);
    for (auto at = message.find(flag); at != std::string::npos; at = message.find(flag, at)) {
      const std::size_t end = at + flag.size();
      const bool whole =
          end == message.size() ||
          (message[end] != '-' && std::isalnum(static_cast<unsigned char>(message[end])) == 0);
      if (!whole) {
        at = end;
        continue;
      }
      message.replace(at, flag.size(), field);
      at += field.size();
    }
  }
  return message;
}

ServiceError config_refusal(const ConfigError& error) {
  const std::string_view what = error.what();
  const bool memory = what.find("exceeds memory_budget_bytes") != std::string_view::npos ||
                      what.find("bytes this process may use") != std::string_view::npos;
  return {memory ? ErrorCode::resource_exhausted : ErrorCode::invalid_argument,
          with_field_names(error.what())};
}

void apply_config(const v1::AcquisitionConfig& p, acquisition::Settings& s) {
  if (p.has_frames()) set_field(s, "frames", std::to_string(p.frames()));
  if (p.has_duration_s()) set_field(s, "duration", number_text(p.duration_s()));
  if (p.has_fps()) set_field(s, "fps", number_text(p.fps()));
  if (p.has_exposure_ms()) set_field(s, "exposure-ms", number_text(p.exposure_ms()));
  if (p.has_width()) set_field(s, "width", std::to_string(p.width()));
  if (p.has_height()) set_field(s, "height", std::to_string(p.height()));
  if (p.has_roi()) {
    const v1::Roi& r = p.roi();
    set_field(s, "roi",
              std::to_string(r.x()) + "," + std::to_string(r.y()) + "," +
                  std::to_string(r.width()) + "," + std::to_string(r.height()));
  }
  if (p.has_binning()) set_field(s, "binning", p.binning());
  if (p.has_bit_depth()) set_field(s, "bit-depth", std::to_string(p.bit_depth()));
  if (p.has_pool_frames()) set_field(s, "pool-frames", std::to_string(p.pool_frames()));
  if (p.has_compression()) set_field(s, "compression", p.compression());
  if (p.has_pattern()) set_field(s, "pattern", p.pattern());
}

v1::AcquisitionConfig config_message(const acquisition::Settings& s) {
  v1::AcquisitionConfig c;
  c.set_frames(s.camera.frames);
  c.set_duration_s(s.duration_s);
  c.set_fps(s.camera.fps);
  c.set_exposure_ms(s.camera.exposure_ms);
  c.set_width(s.camera.width);
  c.set_height(s.camera.height);
  if (s.camera.roi.size() == 4) {
    v1::Roi& r = *c.mutable_roi();
    r.set_x(s.camera.roi[0]);
    r.set_y(s.camera.roi[1]);
    r.set_width(s.camera.roi[2]);
    r.set_height(s.camera.roi[3]);
  }
  c.set_binning(s.camera.binning.empty() ? "1x1" : s.camera.binning);
  c.set_bit_depth(s.camera.bit_depth);
  c.set_pool_frames(s.pool_frames);
  c.set_compression(s.compression);
  c.set_pattern(s.camera.pattern);
  return c;
}

void fill_status(const acquisition::Status& s, v1::Status& m) {
  m.set_state(state_message(s.state));
  m.set_file(s.current_file);
  m.set_frames_produced(s.frames_produced);
  m.set_frames_written(s.frames_written);
  m.set_frames_dropped(s.frames_dropped);
  m.set_lost_hw_frames(s.lost_hw_frames);
  m.set_pool_capacity(s.pool_capacity);
  m.set_pool_in_use(s.pool_in_use);
  m.set_pool_high_water(s.pool_high_water);
  m.set_fallback_allocations(s.fallback_allocations);
  m.set_frames_per_s(s.frames_per_s);
  m.set_mb_per_s(s.mb_per_s);
  m.set_bytes_written(s.bytes_written);
  m.set_last_error(s.last_error);
}

void fill_metrics(const MetricsSnapshot& metrics, v1::Status& m) {
  for (std::size_t i = 0; i < kDropCauseCount; ++i) {
    if (metrics.frames.dropped_by_cause[i] != 0) {
      (*m.mutable_dropped_by_cause())[std::string(to_string(static_cast<DropCause>(i)))] =
          metrics.frames.dropped_by_cause[i];
    }
  }
  for (const TapStats& tap : metrics.taps) {
    v1::TapStatus& t = *m.add_taps();
    t.set_name(tap.name);
    t.set_delivered(tap.delivered);
    t.set_dropped(tap.dropped);
    t.set_errors(tap.errors);
    t.set_slow_calls(tap.slow_calls);
  }
  // The histogram's bounds from 2^10 - 1 ns (about 1 us) to 2^30 - 1 ns (about 1 s): shorter
  // waits count in the first bucket, longer ones only in the count (Prometheus' +Inf).
  constexpr std::size_t kFirstBucket = 10;
  constexpr std::size_t kLastBucket = 30;
  const WaitDistribution& distribution = metrics.acquire_wait_distribution;
  v1::AcquireWait& wait = *m.mutable_acquire_wait();
  for (std::size_t b = kFirstBucket; b <= kLastBucket; ++b) {
    v1::WaitBucket& bucket = *wait.add_buckets();
    bucket.set_le_ns(WaitHistogram::upper_bound(b));
    bucket.set_count(distribution.at_most[b]);
  }
  wait.set_sum_ns(distribution.sum_ns);
  wait.set_count(distribution.count());
  wait.set_p50_ns(metrics.acquire_wait.p50_ns);
  wait.set_p90_ns(metrics.acquire_wait.p90_ns);
  wait.set_p99_ns(metrics.acquire_wait.p99_ns);
  wait.set_max_ns(metrics.acquire_wait.max_ns);
}

v1::SeriesSummary summary_message(const acquisition::Summary& s, std::uint64_t series_id) {
  v1::SeriesSummary m;
  m.set_series_id(series_id);
  m.set_file(s.output);
  m.set_frames_produced(s.frames_produced);
  m.set_frames_written(s.frames_written);
  m.set_frames_dropped(s.frames_dropped);
  for (const auto& [cause, count] : s.dropped_by_cause)
    (*m.mutable_dropped_by_cause())[cause] = count;
  m.set_lost_hw_frames(s.lost_hw_frames);
  m.set_interrupted(s.interrupted);
  m.set_error(s.error);
  m.set_summary_json(acquisition::summary_json(s));
  return m;
}

}  // namespace daq::service
