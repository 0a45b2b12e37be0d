#include <cmath>
#include <cstdio>
#include <string>

#include "daq/camera/sim_camera.hpp"
#include "sim_buffer.hpp"
#include "sim_setup.hpp"

namespace daq {
namespace {

[[noreturn]] void reject(const std::string& message) {
  throw ConfigError(message);
}

// Shortest form that shows the value: 0.001, 100000, 1e-300 (not "0").
std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", v);
  return text;
}

void check_range(const char* field, double value, double low, double high, const char* unit) {
  if (!std::isfinite(value) || value < low || value > high) {
    reject(std::string(field) + " " + number(value) + " is outside " + number(low) + ".." +
           number(high) + unit);
  }
}

void check_count(const char* field, std::uint32_t value, std::uint32_t low, std::uint32_t high) {
  if (value < low || value > high) {
    reject(std::string(field) + " " + std::to_string(value) + " is outside " + std::to_string(low) +
           ".." + std::to_string(high));
  }
}

constexpr double kMaxFps = 100'000.0;
constexpr double kMinFps = 0.001;  // one frame per 1000 s; slower periods overflow the clock
constexpr double kMaxExposureMs = 3'600'000.0;

Geometry checked_geometry(const SimConfig& c) {
  const Geometry g = resolve_geometry(c.width, c.height, c.roi, c.binning);
  if (c.bit_depth != 8 && c.bit_depth != 12 && c.bit_depth != 16 && c.bit_depth != 32) {
    reject("bit_depth " + std::to_string(c.bit_depth) + " is not supported (8, 12, 16 or 32)");
  }
  return g;
}

}  // namespace

void SimConfig::validate() const {
  const Geometry g = checked_geometry(*this);
  check_range("fps", fps, 0.0, kMaxFps, " frames/s (0 = free-running)");
  if (fps > 0.0 && fps < kMinFps) {
    reject("fps " + number(fps) + " is outside " + number(kMinFps) + ".." + number(kMaxFps) +
           " frames/s (0 = free-running)");
  }
  check_range("exposure_ms", exposure_ms, 0.0, kMaxExposureMs, " ms");
  if (fps > 0.0 && exposure_ms > 1000.0 / fps) {
    reject("exposure_ms " + number(exposure_ms) + " exceeds the frame period " +
           number(1000.0 / fps) + " ms at fps " + number(fps));
  }
  check_range("temperature_c", temperature_c, -100.0, 100.0, " degrees C");
  check_count("buffer_frames", buffer_frames, 2, 4096);
  check_count("cycle_frames", cycle_frames, 1, 1024);
  validate_faults(faults);
  const std::size_t frame = frame_bytes(g, bit_depth);
  if (frame > memory_budget_bytes) {
    reject("frame of " + std::to_string(frame) + " bytes (" + std::to_string(g.width) + "x" +
           std::to_string(g.height) + ", " + std::to_string(bit_depth) +
           "-bit) exceeds memory_budget_bytes " + std::to_string(memory_budget_bytes));
  }
  const std::size_t buffer = sim_buffer_bytes(*this);
  if (buffer > memory_budget_bytes) {
    reject("the SDK buffer needs " + std::to_string(buffer) + " bytes (buffer_frames " +
           std::to_string(buffer_frames) + ", cycle_frames " + std::to_string(cycle_frames) +
           ") but memory_budget_bytes is " + std::to_string(memory_budget_bytes));
  }
}

SourceFormat sim_format(const SimConfig& config) {
  const Geometry g = checked_geometry(config);
  SourceFormat f;
  f.width = g.width;
  f.height = g.height;
  f.bit_depth = config.bit_depth;
  f.frame_bytes = frame_bytes(g, config.bit_depth);
  f.frames_per_second = config.fps > 0.0           ? config.fps
                        : config.exposure_ms > 0.0 ? 1000.0 / config.exposure_ms
                                                   : 0.0;
  f.frame_count = config.frame_count;
  f.sensor_width = config.width;
  f.sensor_height = config.height;
  return f;
}

std::size_t sim_buffer_bytes(const SimConfig& config) {
  return sim::SimBuffer::storage_bytes(sim::pattern_spec(config), config.buffer_frames);
}

}  // namespace daq

namespace daq::sim {

PatternSpec pattern_spec(const SimConfig& config) {
  const Geometry g = checked_geometry(config);
  return {.pattern = config.pattern,
          .width = g.width,
          .height = g.height,
          .bit_depth = config.bit_depth,
          .seed = config.seed,
          .cycle_frames = config.cycle_frames};
}

}  // namespace daq::sim
