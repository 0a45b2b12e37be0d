#include "daq/acquisition/settings.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "daq/pipeline/frame_source.hpp"

namespace daq::acquisition {
namespace {

[[noreturn]] void reject(std::string_view key, const std::string& why) {
  throw ConfigError("--" + std::string(key) + ": " + why);
}

/// Digits only (no sign), at most `max`.
std::uint64_t whole_number(std::string_view key, std::string_view text, std::uint64_t max) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  const bool whole = !text.empty() && text.front() != '-' && text.front() != '+' &&
                     error == std::errc() && stop == end && value <= max;
  if (!whole) {
    reject(key, "must be a whole number 0.." + std::to_string(max) + ", got '" + std::string(text) +
                    "'");
  }
  return value;
}

std::uint32_t whole_number_32(std::string_view key, std::string_view text) {
  return static_cast<std::uint32_t>(
      whole_number(key, text, std::numeric_limits<std::uint32_t>::max()));
}

double non_negative(std::string_view key, std::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end || !std::isfinite(value)) {
    reject(key, "'" + std::string(text) + "' is not a number");
  }
  if (value < 0) reject(key, "must be 0 or more, got " + std::string(text));
  return value;
}

bool boolean(std::string_view key, std::string_view text) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  reject(key, "expected true or false, got '" + std::string(text) + "'");
}

std::vector<std::uint32_t> roi(std::string_view key, std::string_view text) {
  std::vector<std::uint32_t> values;
  for (std::size_t at = 0; at <= text.size();) {
    const std::size_t comma = std::min(text.find(',', at), text.size());
    values.push_back(whole_number_32(key, text.substr(at, comma - at)));
    at = comma + 1;
  }
  if (values.size() != 4) {
    reject(key, "expected x,y,width,height (4 numbers), got " + std::to_string(values.size()));
  }
  return values;
}

std::string normal_key(std::string_view key) {
  std::string name(key);
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

}  // namespace

const std::vector<std::string_view>& setting_keys() {
  static const std::vector<std::string_view> keys{
      "camera",      "frames",        "duration",       "width", "height",       "bit-depth",
      "pattern",     "fps",           "exposure-ms",    "roi",   "binning",      "seed",
      "pool-frames", "compression",   "aravis-buffers", "out",   "summary-json", "overwrite",
      "no-check",    "require-check", "fail-on-loss", "stream", "stream-compression", "stream-hwm",
      "stream-start-timeout"};
  return keys;
}

void set(Settings& s, std::string_view raw_key, std::string_view value) {
  const std::string key = normal_key(raw_key);
  CameraSettings& c = s.camera;
  if (key == "camera") {
    c.camera = value;
  } else if (key == "frames") {
    c.frames = whole_number(key, value, std::numeric_limits<std::uint64_t>::max());
  } else if (key == "duration") {
    s.duration_s = non_negative(key, value);
  } else if (key == "width") {
    c.width = whole_number_32(key, value);
  } else if (key == "height") {
    c.height = whole_number_32(key, value);
  } else if (key == "bit-depth") {
    c.bit_depth = whole_number_32(key, value);
  } else if (key == "pattern") {
    c.pattern = value;
  } else if (key == "fps") {
    c.fps = non_negative(key, value);
  } else if (key == "exposure-ms") {
    c.exposure_ms = non_negative(key, value);
  } else if (key == "roi") {
    c.roi = roi(key, value);
  } else if (key == "binning") {
    c.binning = value;
  } else if (key == "seed") {
    c.seed = whole_number(key, value, std::numeric_limits<std::uint64_t>::max());
  } else if (key == "pool-frames") {
    const std::uint64_t frames = whole_number(key, value, kMaxPoolFrames);
    if (frames == 0) reject(key, "must be 1.." + std::to_string(kMaxPoolFrames) + ", got 0");
    s.pool_frames = frames;
  } else if (key == "compression") {
    s.compression = value;
  } else if (key == "aravis-buffers") {
    c.aravis_buffers = value;
  } else if (key == "out") {
    s.out = value;
  } else if (key == "summary-json") {
    s.summary_json = value;
  } else if (key == "overwrite") {
    s.overwrite = boolean(key, value);
  } else if (key == "no-check") {
    s.no_check = boolean(key, value);
  } else if (key == "require-check") {
    s.require_check = boolean(key, value);
  } else if (key == "fail-on-loss") {
    s.fail_on_loss = boolean(key, value);
  } else if (key == "stream") {
    s.stream.endpoint = value;
  } else if (key == "stream-compression") {
    s.stream.compression = value;
  } else if (key == "stream-hwm") {
    s.stream.hwm = static_cast<std::uint32_t>(whole_number(key, value, kMaxStreamHwm));
    if (s.stream.hwm == 0) reject(key, "must be 1.." + std::to_string(kMaxStreamHwm) + ", got 0");
  } else if (key == "stream-start-timeout") {
    s.stream.start_timeout_s = non_negative(key, value);
    if (s.stream.start_timeout_s > kMaxStreamStartTimeoutS) {
      reject(key, "must be 0.." + std::to_string(static_cast<int>(kMaxStreamStartTimeoutS)) +
                      " s, got " + std::string(value));
    }
  } else {
    std::string keys;
    for (const std::string_view known : setting_keys()) {
      keys += (keys.empty() ? "" : ", ") + std::string(known);
    }
    throw ConfigError("unknown setting '" + std::string(raw_key) + "' (allowed: " + keys + ")");
  }
  c.given.insert("--" + key);
}

void apply_defaults(Settings& s) {
  if (!s.camera.was_given("--frames")) s.camera.frames = s.duration_s > 0 ? 0 : 100;
  if (!s.camera.was_given("--aravis-buffers")) {
    // Zero-copy where loans come back after one write (docs/adr/0007-aravis-buffer-modes.md):
    // a compressing writer holds frames longer, and each held loan is a camera buffer less.
    s.camera.aravis_buffers = s.compression == "none" ? "zero-copy" : "copy";
  }
}

}  // namespace daq::acquisition
