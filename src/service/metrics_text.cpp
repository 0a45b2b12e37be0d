#include "metrics_text.hpp"

#include <cstdint>
#include <cstdio>
#include <map>
#include <string_view>

#include "daq/pipeline/ledger.hpp"

namespace daq::service {
namespace {

class Exposition {
 public:
  /// Starts a metric family.
  void family(std::string_view name, std::string_view type, std::string_view help) {
    text_.append("# HELP ").append(name).append(" ").append(help).append("\n");
    text_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  }
  void sample(std::string_view name, double value, std::string_view labels = {}) {
    text_.append(name);
    if (!labels.empty()) text_.append("{").append(labels).append("}");
    text_.append(" ").append(number(value)).append("\n");
  }
  void single(std::string_view name, std::string_view type, std::string_view help, double value) {
    family(name, type, help);
    sample(name, value);
  }
  std::string take() { return std::move(text_); }

 private:
  static std::string number(double value) {
    const auto whole = static_cast<std::uint64_t>(value);
    if (value >= 0 && static_cast<double>(whole) == value) return std::to_string(whole);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return buffer;
  }
  std::string text_;
};

/// `ns` as seconds, exactly ("0.000001023"): a histogram bucket's bound.
std::string exact_seconds(std::uint64_t ns) {
  char text[40];
  std::snprintf(text, sizeof text, "%llu.%09llu",
                static_cast<unsigned long long>(ns / 1'000'000'000),
                static_cast<unsigned long long>(ns % 1'000'000'000));
  std::string_view exact(text);
  exact.remove_suffix(exact.size() - 1 - exact.find_last_not_of('0'));  // "0.000001023"
  if (exact.back() == '.') exact.remove_suffix(1);                      // "1"
  return std::string(exact);
}

/// A label value with the format's escapes (backslash, quote, newline).
std::string label_value(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string_view state_name(v1::State state) {
  switch (state) {
    case v1::IDLE:
      return "idle";
    case v1::ACQUIRING:
      return "acquiring";
    case v1::SAVING:
      return "saving";
    case v1::ERROR:
      return "error";
    default:
      return "unspecified";
  }
}

}  // namespace

std::string prometheus_text(const v1::Status& s) {
  Exposition out;
  out.single("daq_frames_produced_total", "counter",
             "Frames the camera delivered in the current or last series.",
             static_cast<double>(s.frames_produced()));
  out.single("daq_frames_written_total", "counter",
             "Frames written to the file in the current or last series.",
             static_cast<double>(s.frames_written()));
  out.family("daq_frames_dropped_total", "counter", "Frames dropped, by cause.");
  // Every cause, also those at zero, so a rate() sees the series from the start.
  std::map<std::string, std::uint64_t> causes;
  for (std::size_t i = 0; i < kDropCauseCount; ++i) {
    causes[std::string(to_string(static_cast<DropCause>(i)))] = 0;
  }
  for (const auto& [cause, count] : s.dropped_by_cause()) causes[cause] = count;
  for (const auto& [cause, count] : causes) {
    out.sample("daq_frames_dropped_total", static_cast<double>(count),
               "cause=\"" + label_value(cause) + "\"");
  }
  out.single("daq_frames_lost_hw_total", "counter", "Hardware frame numbers the camera skipped.",
             static_cast<double>(s.lost_hw_frames()));
  out.single("daq_bytes_written_total", "counter", "Pixel bytes written to the file.",
             static_cast<double>(s.bytes_written()));
  out.single("daq_fallback_allocations_total", "counter",
             "Heap frames made when the pool was exhausted.",
             static_cast<double>(s.fallback_allocations()));
  out.single("daq_camera_openings_total", "counter",
             "Times the camera was opened and its frame pool mapped.",
             static_cast<double>(s.camera_openings()));
  out.single("daq_pool_frames", "gauge", "Frames in the pool.",
             static_cast<double>(s.pool_capacity()));
  out.single("daq_pool_in_use_frames", "gauge", "Pooled frames on loan now.",
             static_cast<double>(s.pool_in_use()));
  out.single("daq_pool_high_water_frames", "gauge", "Most pooled frames on loan at once.",
             static_cast<double>(s.pool_high_water()));
  const v1::AcquireWait& wait = s.acquire_wait();
  out.family("daq_pool_acquire_wait_seconds", "histogram",
             "Time the delivery loop waited for a pooled frame.");
  for (const v1::WaitBucket& bucket : wait.buckets()) {
    out.sample("daq_pool_acquire_wait_seconds_bucket", static_cast<double>(bucket.count()),
               "le=\"" + exact_seconds(bucket.le_ns()) + "\"");
  }
  out.sample("daq_pool_acquire_wait_seconds_bucket", static_cast<double>(wait.count()),
             "le=\"+Inf\"");
  out.sample("daq_pool_acquire_wait_seconds_sum", static_cast<double>(wait.sum_ns()) / 1e9);
  out.sample("daq_pool_acquire_wait_seconds_count", static_cast<double>(wait.count()));
  out.single("daq_pool_acquire_wait_max_seconds", "gauge", "The longest pool acquire wait.",
             static_cast<double>(wait.max_ns()) / 1e9);
  out.single("daq_frames_per_second", "gauge", "Frames written per second (current series).",
             s.frames_per_s());
  out.single("daq_series_id", "gauge", "Id of the current or last series.",
             static_cast<double>(s.series_id()));
  out.family("daq_state", "gauge", "1 for the state the server is in.");
  for (const v1::State state : {v1::IDLE, v1::ACQUIRING, v1::SAVING, v1::ERROR}) {
    out.sample("daq_state", state == s.state() ? 1 : 0,
               "state=\"" + std::string(state_name(state)) + "\"");
  }
  out.single("daq_image_stream_frames_skipped_total", "counter",
             "Frames image-stream clients were too slow for.",
             static_cast<double>(s.image_frames_skipped()));
  const std::pair<std::string_view, std::uint64_t (v1::TapStatus::*)() const> tap_counters[] = {
      {"daq_tap_delivered_total", &v1::TapStatus::delivered},
      {"daq_tap_dropped_total", &v1::TapStatus::dropped},
      {"daq_tap_errors_total", &v1::TapStatus::errors},
      {"daq_tap_slow_calls_total", &v1::TapStatus::slow_calls}};
  for (const auto& [name, counter] : tap_counters) {
    out.family(name, "counter", "Per observer / channel tap.");
    for (const v1::TapStatus& tap : s.taps()) {
      out.sample(name, static_cast<double>((tap.*counter)()),
                 "tap=\"" + label_value(tap.name()) + "\"");
    }
  }
  return out.take();
}

}  // namespace daq::service
